import type { RuleGroup } from '../model.js';

export const host: RuleGroup = {
  name: 'host',
  summary: "node_exporter's textfile collector: gauges written by timers that stopped, files it cannot read",
  rules: [
    {
      alert: 'NodeRebootRequiredStale',
      expr: 'time() - node_textfile_mtime_seconds{file=~"$[host.textfiles]"} > 3 * $[host.textfilePeriod:seconds]',
      severity: 'warning',
      summary: 'Textfile {{ $labels.file }} on {{ $labels.instance }} is stale.',
      description:
        'node_exporter on {{ $labels.instance }} still serves {{ $labels.file }}, but nothing has rewritten it for more than 3 × $[host.textfilePeriod], the period of the timer that writes it: the gauges it holds (node_reboot_required, the pvecm votes, …) describe the past and the alerts on them cannot be trusted. Find the timer and its last run: `systemctl list-timers`, `systemctl status <unit>.service`, `journalctl -u <unit>.service`. A file nobody writes any more should be deleted, or left out of host.textfiles.',
      why: 'Before the incident’s follow-up, node_reboot_required went stale after every reboot because nothing rewrote it: a stale gauge lies quietly.',
    },
    {
      alert: 'NodeTextfileScrapeError',
      expr: 'node_textfile_scrape_error == 1',
      for: '$[host.textfileErrorFor]',
      severity: 'warning',
      summary: 'node_exporter on {{ $labels.instance }} cannot read a textfile.',
      description:
        'node_exporter on {{ $labels.instance }} has been failing to read or parse a file in its textfile directory for $[host.textfileErrorFor], so the metrics in it are missing. Its log names the file and the error; a script that writes in place instead of to a temporary file and `mv`, or a duplicate metric across files, are the usual causes.',
      why: 'A textfile that does not parse drops its metrics without a sound; alerts that read them see nothing and stay quiet.',
    },
  ],
};
