// @moor/kube: moor's edge to Kubernetes. Raw JSON REST authenticated by
// @kubernetes/client-node's KubeConfig, informers (list + watch with
// resumption), and a Catalog that feeds actor hosts from the cluster.
export { KubeClient, KubeError, type ApplyRequestOptions, type KubeObject, type PatchType, type RequestOptions, type ResourceRef } from "./KubeClient.ts"
export { Informer, type InformerHandlers } from "./Informer.ts"
export { dropFinalizer, FLUX_FINALIZER, KubeCatalog, RECONCILE_REQUEST_ANNOTATION } from "./KubeCatalog.ts"
