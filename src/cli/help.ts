/** Help texts; `--help` output is part of the CLI contract users read first. */
export const MAIN_HELP = `rollout-gate: apply Kubernetes Deployments, gate the rollout, roll back to the last good revision

Usage:
  rollout-gate run   -f <file|dir|glob> [flags]     apply, watch, fail fast, roll back
  rollout-gate plan  -f <file|dir|glob> [flags]     predict the rollout (dry run, nothing written)
  rollout-gate serve [--scenario FILE] [--port N]   a simulated cluster that kubectl can drive
  rollout-gate completion bash|zsh                  print a shell completion script (source <(...))
  rollout-gate help [run|plan|serve] | version      also as --help, run --help, --version

Exit codes: 0 succeeded, 1 failed and rolled back, 2 invalid input (nothing applied),
            3 failed and not rolled back. plan: 0 no rollout would fail, 1 one would, 2 invalid input.
`;

export const RUN_HELP = `Usage: rollout-gate run -f <file|dir|glob> [flags]

Applies every manifest (config before workloads), gates every Deployment in them, waits until
every other object is healthy (kstatus; skip one with annotation rollout-gate.dev/wait: "false"),
and rolls back to the last known good revision when a rollout fails.

Input:
  -f, --manifests <file|dir|glob>   manifests to apply (repeatable; - reads standard input)
  -n, --namespace NS                namespace for objects that name none
      --image NAME=REF              override an image by container or image name (repeatable; *=REF for all)
      --change-cause TEXT           kubernetes.io/change-cause to record (default: commit and run URL in Actions)

Cluster:
      --simulate                    run on the built-in simulated cluster (virtual clock, no kubeconfig)
      --scenario FILE               the simulated cluster's nodes, images and existing objects
      --kubeconfig FILE             else $KUBECONFIG, else ~/.kube/config, else in-cluster
      --context NAME                kubeconfig context
      --force-conflicts             take ownership of fields other managers own (server-side apply)

Gate:
      --timeout 10m                 the whole run's time budget
      --rollback on-failure|never   roll back failed Deployments (default on-failure)
      --rollback-timeout 5m         time allowed for the rollback to complete
      --rollback-on-cancel true|false
                                    on SIGINT/SIGTERM, roll back what the run changed (default true);
                                    the run ends failed, reason Cancelled, exit 3
      --image-pull-grace 30s        how long new pods may fail to pull before the rollout fails
      --crash-loop-restarts 3       restarts of a new container that fail the rollout
      --unschedulable-grace 60s     how long new pods may stay unschedulable
      --config-error-grace 20s      how long CreateContainerConfigError may last
      --stall-window 3m             no progress for this long fails the rollout
      --stability-window 10s        new pods must stay ready this long before success (0: kubectl's rule alone)
      --health-checks FILE          custom health rules per kind (CEL, Flux's healthCheckExprs shape)
      --failed-tolerance 0s         how long an applied object may stay Failed before the run fails
                                    (per object: annotation rollout-gate.dev/failed-tolerance)
      --on-no-good-revision leave|scale-to-zero|delete
                                    a Deployment created by this run that fails has nothing to roll
                                    back to: leave it (default), scale it to 0, or delete it

Output:
  -o, --output text|json            json prints exactly one JSON object on stdout (logs on stderr)
`;

export const PLAN_HELP = `Usage: rollout-gate plan -f <file|dir|glob> [flags]

Predicts what applying the manifests would do, on the built-in simulated cluster: the pod template
diff, the scaling steps, peak pods, extra capacity, the predicted verdict and risky settings.
Nothing is written to any cluster. Takes run's input, cluster and gate flags, and:

      --baseline <file|dir|glob>    the objects as they are now, e.g. the base branch's manifests
                                    (repeatable); else the live Deployments of --kubeconfig/--context
                                    (read only); else the --scenario objects
      --check-images true|false     ask each image's registry whether it exists (default true):
                                    HEAD of the manifest by tag or digest, anonymous tokens as Docker
                                    Hub and GHCR hand out, credentials from the docker config
                                    ($DOCKER_CONFIG/config.json or ~/.docker/config.json). Not found
                                    or unauthorized: the rollout is predicted to fail (ErrImagePull).
                                    A registry that cannot be asked (network, rate limit, 10 s
                                    timeout) is said as "not checked". Images the --scenario names
                                    are the scenario's. false: every image is assumed to exist.

Exit codes: 0 no rollout would fail (some may not be predictable), 1 a rollout would fail,
            2 invalid input.
`;

export const SERVE_HELP = `Usage: rollout-gate serve [flags]

Starts the simulated cluster behind the Kubernetes API on 127.0.0.1 and writes a kubeconfig
that kubectl accepts. Runs until interrupted (Ctrl-C).

      --scenario FILE        nodes, images and objects of the simulated cluster
      --port N               port to listen on (0 = any free port; default 0)
      --speed X              simulated seconds per real second (default 1)
      --kubeconfig-out FILE  where to write the kubeconfig (default: a temporary file)
      --tls                  serve HTTPS with a self-signed certificate and a bearer token
`;
