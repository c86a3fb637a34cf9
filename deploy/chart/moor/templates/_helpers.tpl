{{/* Labels on every object: the same as deploy/manifests. */}}
{{- define "moor.partOf" -}}
app.kubernetes.io/part-of: moor
{{- end }}

{{- define "moor.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "moor.natsUrl" -}}
{{ .Values.nats.url | default (printf "nats://nats.%s:4222" .Release.Namespace) }}
{{- end }}

{{/* The services in deploy/manifests' order. */}}
{{- define "moor.serviceNames" -}}
source kustomize helm image notify apply
{{- end }}
