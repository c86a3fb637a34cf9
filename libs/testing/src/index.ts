// @moor/testing: real servers for tests, started on random loopback ports
// with temporary state, and always stopped.
export { startNatsServer, type NatsServer } from "./NatsServer.ts"
export { waitFor } from "./waitFor.ts"
export { kubeRealBinaries, kubeRealTools, startKubeReal, type KubeReal } from "./KubeReal.ts"
export { freePort, hasSshd, startGitDaemon, startGitHttp, startSshd, type GitDaemon, type GitHttpServer, type Sshd } from "./GitServers.ts"
