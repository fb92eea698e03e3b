/**
 * The Alertmanager config each chart deploys when its values set none (as in the charts'
 * values.yaml). kube-prometheus-stack and victoria-metrics-k8s-stack route everything, Watchdog
 * included, to a receiver with no integrations; the alertmanager chart's one receiver has none.
 */

export const CHART_DEFAULT_CONFIG: Record<string, string> = {
  'kube-prometheus-stack': `route:
  receiver: "null"
  group_by: [namespace]
  repeat_interval: 12h
  routes:
    - receiver: "null"
      matchers: ['alertname = "Watchdog"']
receivers:
  - name: "null"
`,
  alertmanager: `route:
  receiver: default-receiver
  repeat_interval: 3h
receivers:
  - name: default-receiver
`,
  'victoria-metrics-k8s-stack': `route:
  receiver: blackhole
receivers:
  - name: blackhole
`,
};
