// `moor build kustomization NAME --path DIR`: the multi-document YAML the
// Kustomization would apply from a local directory, as `flux build ks` prints it.
import type { CliCommand } from "../Command.ts"
import { connect, type CliError } from "../Kube.ts"
import { buildLocal, loadKustomization, maskSecret, parseKustomizationArgs } from "../LocalBuild.ts"

export const build: CliCommand = {
  path: ["build"],
  summary: "Print what a Kustomization would apply from a local directory",
  help: `Usage: moor build kustomization NAME --path DIR [--kustomization-file FILE] [--show-secrets] [-n NS] [--kubeconfig FILE]

Builds DIR as the Kustomization NAME of the cluster would (targetNamespace,
namePrefix/nameSuffix, patches, images, commonMetadata, postBuild substitution
with substituteFrom read from the cluster) and prints the objects as YAML.
Secret values are masked (SOPS-encrypted ones as **SOPS**) unless --show-secrets.
With --kustomization-file the Kustomization is read from that file; the cluster
is then only asked for substituteFrom ConfigMaps and Secrets, if it is reachable.

Flags:
  --path DIR                 local directory matching the Kustomization's spec.path (required)
  --kustomization-file FILE  a Flux Kustomization YAML to use instead of the cluster's
  --show-secrets             print Secret values as they are
  -n, --namespace NS         the Kustomization's namespace (default: flux-system)

Example:
  moor build kustomization apps --path ./clusters/prod/apps`,
  async run(argv) {
    const { name, path, ns, file, kubeconfig, flag: showSecrets } = parseKustomizationArgs("build", argv, "show-secrets")
    // With a local Kustomization file the cluster is optional (only substituteFrom needs it).
    const kube = await connect(kubeconfig).catch((e: CliError) => {
      if (file) return undefined
      throw e
    })
    try {
      const k = await loadKustomization(kube, ns, name, file)
      const objects = await buildLocal(kube, k, path)
      const { toYaml } = await import("@moor/kustomize")
      process.stdout.write(toYaml(showSecrets ? objects : objects.map(maskSecret)))
      return 0
    } finally {
      kube?.close()
    }
  },
}
