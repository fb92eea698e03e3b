#!/bin/sh
# pve-quorum-textfile.sh: writes this Proxmox node's view of its cluster's quorum and votes, from
# `pvecm status`, for node_exporter's textfile collector. The alertpath rule pack reads it:
# PveQuorumDegraded fires when expected votes exceed total votes (a lost QDevice or node vote,
# even while the cluster is still quorate), when the node is not quorate, or when `pvecm status`
# fails; NodeRebootRequiredStale fires when this file stops being rewritten.
#
# Run it every minute from pve-quorum-textfile.timer. Settings (environment):
#   TEXTFILE_DIR   node_exporter's --collector.textfile.directory
#                  (default /var/lib/prometheus/node-exporter, Debian's prometheus-node-exporter)
#   TEXTFILE_NAME  file name (default pve_quorum.prom)
#   PVECM          the pvecm command (default pvecm)
#   PVECM_TIMEOUT  seconds `pvecm status` may take (default 20)
#   COROSYNC_CONF  the node's corosync config (default /etc/corosync/corosync.conf): a node
#                  without one is not in a cluster, and the file is removed
#
# Metrics, each labelled cluster="<name>":
#   alertpath_pvecm_up              1 if `pvecm status` answered in time and was understood
#   alertpath_pvecm_quorate         1 if this node sees the cluster quorate
#   alertpath_pvecm_expected_votes  "Expected votes"
#   alertpath_pvecm_total_votes     "Total votes" (those present now)
#   alertpath_pvecm_quorum_votes    "Quorum" (votes needed)
#   alertpath_pvecm_nodes           "Nodes" (members seen)
set -eu

dir=${TEXTFILE_DIR:-/var/lib/prometheus/node-exporter}
name=${TEXTFILE_NAME:-pve_quorum.prom}
pvecm=${PVECM:-pvecm}
limit=${PVECM_TIMEOUT:-20}
conf=${COROSYNC_CONF:-/etc/corosync/corosync.conf}
out="$dir/$name"

if [ ! -f "$conf" ]; then
  # not a cluster member: nothing to report, and no stale file left behind
  rm -f "$out"
  exit 0
fi

cluster=$(awk '$1 == "cluster_name:" { print $2; exit }' "$conf")
# label values: keep to what corosync allows in a cluster name
cluster=$(printf '%s' "${cluster:-unknown}" | tr -c 'A-Za-z0-9_.-' '_')

tmp=$(mktemp "$dir/.$name.XXXXXX")
trap 'rm -f "$tmp"' EXIT

if status=$(timeout "$limit" "$pvecm" status 2>/dev/null); then
  values=$(printf '%s\n' "$status" | awk -F: '
    function num(s) { sub(/^[ \t]+/, "", s); split(s, w, /[ \t]+/); return w[1] }
    $1 == "Expected votes" { expected = num($2) }
    $1 == "Total votes"    { total = num($2) }
    $1 == "Quorum"         { quorum = num($2) }
    $1 == "Nodes"          { nodes = num($2) }
    $1 == "Quorate"        { q = num($2); quorate = (q == "Yes") ? 1 : 0 }
    END {
      if (expected ~ /^[0-9]+$/ && total ~ /^[0-9]+$/ && quorum ~ /^[0-9]+$/ && quorate != "")
        print expected, total, quorum, (nodes ~ /^[0-9]+$/ ? nodes : "NaN"), quorate
    }')
else
  values=
fi

{
  echo '# HELP alertpath_pvecm_up 1 if `pvecm status` answered in time and was understood, else 0.'
  echo '# TYPE alertpath_pvecm_up gauge'
  if [ -z "$values" ]; then
    echo "alertpath_pvecm_up{cluster=\"$cluster\"} 0"
  else
    echo "alertpath_pvecm_up{cluster=\"$cluster\"} 1"
    set -- $values
    echo '# HELP alertpath_pvecm_expected_votes Votes the cluster expects (pvecm status: Expected votes).'
    echo '# TYPE alertpath_pvecm_expected_votes gauge'
    echo "alertpath_pvecm_expected_votes{cluster=\"$cluster\"} $1"
    echo '# HELP alertpath_pvecm_total_votes Votes present (pvecm status: Total votes).'
    echo '# TYPE alertpath_pvecm_total_votes gauge'
    echo "alertpath_pvecm_total_votes{cluster=\"$cluster\"} $2"
    echo '# HELP alertpath_pvecm_quorum_votes Votes needed for quorum (pvecm status: Quorum).'
    echo '# TYPE alertpath_pvecm_quorum_votes gauge'
    echo "alertpath_pvecm_quorum_votes{cluster=\"$cluster\"} $3"
    echo '# HELP alertpath_pvecm_nodes Cluster members this node sees (pvecm status: Nodes).'
    echo '# TYPE alertpath_pvecm_nodes gauge'
    echo "alertpath_pvecm_nodes{cluster=\"$cluster\"} $4"
    echo '# HELP alertpath_pvecm_quorate 1 if this node sees the cluster quorate (pvecm status: Quorate).'
    echo '# TYPE alertpath_pvecm_quorate gauge'
    echo "alertpath_pvecm_quorate{cluster=\"$cluster\"} $5"
  fi
} > "$tmp"

chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
