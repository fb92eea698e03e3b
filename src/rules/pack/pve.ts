import type { RuleGroup } from '../model.js';

/**
 * Proxmox VE, on prometheus-pve-exporter's metrics: `pve_up{id}` (guests `qemu/<vmid>`,
 * `lxc/<vmid>`, nodes `node/<name>`, the cluster `cluster/<name>` = quorate), `pve_onboot_status{id,
 * node,type}` (only for the exporter's local node), `pve_guest_info{id,node,name,type,template,
 * tags}`, `pve_ha_state{id,state}`, `pve_qdevice_up{id}` (exporter ≥ 3.9), and the votes from
 * `pvecm status` written by deploy/rules/pve-quorum-textfile.sh.
 */

/** Proxmox tags are `;`-separated and unsorted: the tag is matched as a whole list element. */
const tagged = (tags: string) => `"(.*;)?(${tags})(;.*)?"`;
const SILENCING = tagged('$[pve.noAlertTags]|$[maintenance.tag]');
const MAINTENANCE = tagged('$[maintenance.tag]');
const vmid = (inner: string) =>
  `label_replace(\n  ${inner.split('\n').join('\n  ')},\n  "vmid", "$1", "id", "(?:qemu|lxc)/(.*)"\n)`;

const HOW_TO_TAG =
  'If it is down on purpose, tag it: `qm set <vmid> --tags maintenance` for a VM, `pct set <vmid> --tags maintenance` for a container (here <vmid> is {{ $labels.vmid }}; --tags replaces the whole list, so keep its other tags: "{{ $labels.tags }}"), or $[pve.noAlertTags] to silence it for good.';

export const pve: RuleGroup = {
  name: 'pve',
  summary: 'Proxmox VE guests, nodes, quorum, QDevice, HA and the exporter itself',
  rules: [
    {
      alert: 'PveGuestDown',
      expr: vmid(
        [
          '(',
          '  pve_up{id=~"(qemu|lxc)/.*"} == 0',
          '  and on (id, instance) pve_onboot_status == 1',
          ')',
          '* on (id, instance) group_left (name, node, tags)',
          `  pve_guest_info{template!="1", tags!~${SILENCING}}`,
        ].join('\n'),
      ),
      for: '$[pve.guestDownFor]',
      severity: 'critical',
      summary: 'Proxmox guest {{ $labels.name }} ({{ $labels.id }}) on {{ $labels.node }} is not running.',
      description: `{{ $labels.name }} ({{ $labels.id }}) on node {{ $labels.node }} is set to start on boot but has not been running for $[pve.guestDownFor]. Start it (\`qm start {{ $labels.vmid }}\` or \`pct start {{ $labels.vmid }}\`) and read why it stopped or never started: \`journalctl -u pve-guests\` after a reboot (storage that was not ready yet?), the task log in the web UI. ${HOW_TO_TAG}`,
      why: 'The incident: after a self-fence, seven of eight onboot guests stayed stopped because their storage was not ready, and nothing said so.',
    },
    {
      alert: 'PveNodeDown',
      expr: [
        'label_replace(',
        '  min without (instance) (pve_up{id=~"node/.*"}) == 0,',
        '  "node", "$1", "id", "node/(.*)"',
        ')',
        'unless on (id) (max without (instance) (pve_ha_state{id=~"node/.*", state="maintenance"}) == 1)',
      ].join('\n'),
      for: '$[pve.nodeDownFor]',
      severity: 'critical',
      summary: 'Proxmox node {{ $labels.node }} is offline.',
      description:
        'The cluster has seen node {{ $labels.node }} offline for $[pve.nodeDownFor]. Its guests are down too, and PveGuestDown cannot report them: their onboot status comes only from that node, whose series are gone. Reach the host (IPMI or console), look at why it went (`journalctl -b -1`, a watchdog self-fence: `journalctl -u watchdog-mux -u pve-ha-lrm`), and once it is back check that every onboot guest started. For planned work, put the node in HA maintenance mode first (`ha-manager crm-command node-maintenance enable {{ $labels.node }}`), which keeps this alert quiet.',
      why: 'pve_onboot_status is reported only for the exporter’s own node, so when a host stays down its guests vanish instead of turning red: PveGuestDown needs this companion.',
    },
    {
      alert: 'PveGuestMaintenanceTagStale',
      expr: vmid(`max without (instance) (pve_guest_info{template!="1", tags=~${MAINTENANCE}})`),
      for: '$[maintenance.staleAfter]',
      severity: 'info',
      summary:
        'Proxmox guest {{ $labels.name }} has been tagged $[maintenance.tag] for more than $[maintenance.staleAfter].',
      description:
        '{{ $labels.name }} ({{ $labels.id }}) on {{ $labels.node }} has carried the $[maintenance.tag] tag for $[maintenance.staleAfter], and the tag keeps PveGuestDown silent for it. If the work is done, remove the tag: `qm set {{ $labels.vmid }} --tags "<its other tags>"` (`pct set` for a container; current tags: "{{ $labels.tags }}"), or `--delete tags` if it has no other. If it is meant to stay off, tag it $[pve.noAlertTags] instead.',
      why: 'A maintenance tag is a silence without an expiry; this gives it one, so a forgotten tag eventually pages.',
    },
    {
      alert: 'PveQuorumDegraded',
      expr: [
        'label_replace(pve_up{id=~"cluster/.*"}, "cluster", "$1", "id", "cluster/(.*)") == 0',
        'or alertpath_pvecm_quorate == 0',
        'or alertpath_pvecm_expected_votes > alertpath_pvecm_total_votes',
        'or alertpath_pvecm_up == 0',
      ].join('\n'),
      for: '$[pve.quorumDegradedFor]',
      severity: 'critical',
      summary:
        'Proxmox cluster {{ $labels.cluster }} has lost quorum or votes (seen from {{ $labels.instance }}).',
      description:
        'Seen from {{ $labels.instance }}, cluster {{ $labels.cluster }} is not quorate, runs with fewer votes than expected, or `pvecm status` fails there. With a vote missing, one more failure fences every node. Run `pvecm status` on each node and compare "Expected votes" with "Total votes". A missing QDevice vote: `systemctl status corosync-qdevice` on the nodes and `corosync-qdevice-tool -sv`; a corrupted NSS database under /etc/corosync/qdevice/net/nssdb is a known cause (copy it from a healthy node or re-run `pvecm qdevice setup`). A missing node: see PveNodeDown.',
      why: 'The cluster of the incident ran at 2 of 3 votes for a week, one failure from losing quorum, and nobody knew: this pages within 15 minutes.',
    },
    {
      alert: 'PveQDeviceDown',
      expr: 'pve_qdevice_up == 0',
      for: '$[pve.qdeviceDownFor]',
      severity: 'critical',
      summary: 'The QDevice of Proxmox cluster {{ $labels.id }} is disconnected.',
      description:
        'Node {{ $labels.instance }} reports the QDevice of {{ $labels.id }} not connected for $[pve.qdeviceDownFor]: the cluster has lost the tie-breaking vote, and losing a node now loses quorum. Check the qnetd host (`systemctl status corosync-qnetd`, reachable on TCP 5403) and `corosync-qdevice-tool -sv` on the node; if the NSS database is corrupted, copy /etc/corosync/qdevice/net/nssdb from a healthy node or re-run `pvecm qdevice setup`.',
      why: 'In the incident the QDevice vote was lost at a reboot and stayed lost for a week; prometheus-pve-exporter ≥ 3.9 reports it directly.',
    },
    {
      alert: 'PveExporterDown',
      expr: 'up{job=~"$[pve.job]"} == 0',
      for: '$[pve.exporterDownFor]',
      severity: 'critical',
      summary: 'prometheus-pve-exporter target {{ $labels.instance }} is down.',
      description:
        'Prometheus has failed to scrape {{ $labels.job }} at {{ $labels.instance }} for $[pve.exporterDownFor]: every Proxmox alert fed by that target is blind, and its silence is not health. Check the exporter (`systemctl status prometheus-pve-exporter`, or its pod), the API token it uses (`pveum user token list`), and that the node answers on 8006. If the target is a node that is down, PveNodeDown says so from the others.',
      why: 'A silent exporter looks exactly like a healthy cluster unless something watches the watcher.',
    },
    {
      alert: 'PveHaGuestError',
      expr: vmid(
        [
          '(max without (instance) (pve_ha_state{id=~"(qemu|lxc)/.*", state="error"}) == 1)',
          '* on (id) group_left (name, node, tags)',
          `  max without (instance) (pve_guest_info{tags!~${SILENCING}})`,
        ].join('\n'),
      ),
      for: '$[pve.haErrorFor]',
      severity: 'critical',
      summary: 'HA resource {{ $labels.name }} ({{ $labels.id }}) is in the error state.',
      description:
        'The HA manager put {{ $labels.name }} ({{ $labels.id }}, last on {{ $labels.node }}) in the error state: it will not start or move it until someone intervenes. See `ha-manager status` and the task log, fix the cause (storage, resources, a failed migration), then `ha-manager set {{ $labels.vmid }} --state disabled` and `ha-manager set {{ $labels.vmid }} --state started`. HA guests are silenced by the same tags as PveGuestDown.',
      why: 'An HA resource in error is one that HA gave up on: it stays down until a human acts.',
    },
  ],
};
