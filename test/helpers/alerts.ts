import type { WebhookPayload } from '../../src/alertmanager/payload.js';

/** Builds Alertmanager webhook v4 payloads for tests. */
export function alert(
  labels: Record<string, string>,
  options: {
    status?: 'firing' | 'resolved';
    annotations?: Record<string, string>;
    startsAt?: string;
    fingerprint?: string;
  } = {},
) {
  return {
    status: options.status ?? 'firing',
    labels,
    annotations: options.annotations ?? {},
    startsAt: options.startsAt ?? '2026-11-25T03:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
    fingerprint: options.fingerprint ?? Object.values(labels).join('-').slice(0, 16),
  };
}

export function payload(
  alerts: Array<ReturnType<typeof alert>>,
  options: {
    status?: 'firing' | 'resolved';
    groupKey?: string;
    receiver?: string;
    commonLabels?: Record<string, string>;
  } = {},
): WebhookPayload {
  const status = options.status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved');
  return {
    version: '4',
    groupKey: options.groupKey ?? '{}:{alertname="KubePodCrashLooping"}',
    truncatedAlerts: 0,
    status,
    receiver: options.receiver ?? 'discord',
    groupLabels: { alertname: alerts[0]?.labels.alertname ?? 'Test' },
    commonLabels: options.commonLabels ?? { severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts,
  };
}

/** `n` distinct firing alerts in one group. */
export function manyAlerts(n: number, text = 'pod is crash looping'): Array<ReturnType<typeof alert>> {
  return Array.from({ length: n }, (_, i) =>
    alert(
      { alertname: 'KubePodCrashLooping', namespace: 'prod', pod: `api-${i}`, severity: 'critical' },
      { annotations: { description: `${text} #${i}` }, fingerprint: `fp${i}` },
    ),
  );
}
