// @moor/kube-embedded: an in-process Kubernetes API server speaking the real wire
// protocol (discovery, OpenAPI, CRUD, watch, the four patch types, server-side apply),
// for `moor dev`, tests and CI without a cluster. kubectl and @kubernetes/client-node
// talk to it unchanged.
export { type EmbeddedServer, kubeconfig, type ServerOptions, startServer } from "./internal/Server.ts"
export type { AuditEvent } from "./internal/Http.ts"
