#!/usr/bin/env bash
# check.sh — validates deploy/ without Docker or a cluster (`make deploy-check`):
#   - every YAML file parses; compose services, dependencies and volumes are consistent; every
#     Kubernetes object has apiVersion/kind/name, selectors match their pod labels, probes use
#     /readyz and /healthz, and the HPA and PDB point at the Deployment;
#   - the nginx template, rendered as the stack renders it, passes `nginx -t`;
#   - the systemd units pass `systemd-analyze verify` (binaries substituted with local builds).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { printf 'ok    %s\n' "$*"; }
bad() {
	printf 'FAIL  %s\n' "$*"
	fail=1
}

# --- YAML ---
if python3 -c 'import yaml' 2>/dev/null; then
	if python3 - <<'PY'; then ok "YAML: compose.yaml and k8s/*.yaml"; else bad "YAML checks"; fi
import glob, sys, yaml
errs = []
compose = yaml.safe_load(open("deploy/compose.yaml"))
svcs = compose["services"]
for name, s in svcs.items():
    deps = s.get("depends_on", {})
    for d in (deps if isinstance(deps, list) else deps.keys()):
        if d not in svcs:
            errs.append(f"compose: {name} depends on unknown service {d}")
    for v in s.get("volumes", []):
        src = v.split(":")[0]
        if not src.startswith(".") and src not in compose.get("volumes", {}):
            errs.append(f"compose: {name} mounts undeclared volume {src}")
    for n in s.get("networks", []) if isinstance(s.get("networks"), list) else (s.get("networks") or {}).keys():
        if n not in compose.get("networks", {}):
            errs.append(f"compose: {name} uses undeclared network {n}")
for r in ("shian-1", "shian-2"):
    env = svcs[r]["environment"]
    for k in ("SHIAN_DATABASE_URL", "SHIAN_MEILI_URL", "SHIAN_MEILI_KEY", "SHIAN_REDIS_URL", "SHIAN_SECRET", "SHIAN_TRUSTED_PROXIES"):
        if k not in env:
            errs.append(f"compose: {r} lacks {k}")
    if "healthcheck" not in svcs[r]:
        errs.append(f"compose: {r} has no health check")
    if "MASTER" in str(env.get("SHIAN_MEILI_KEY")):
        errs.append(f"compose: {r} is given the Meilisearch master key")
if svcs["migrate"].get("command") != ["migrate"]:
    errs.append("compose: migrate is not the one-shot migration")

objs = {}
for f in sorted(glob.glob("deploy/k8s/*.yaml")):
    for doc in yaml.safe_load_all(open(f)):
        if not doc:
            continue
        if doc.get("kind") == "Kustomization":
            for res in doc["resources"]:
                if not glob.glob("deploy/k8s/" + res):
                    errs.append(f"{f}: resource {res} missing")
            continue
        for k in ("apiVersion", "kind"):
            if k not in doc:
                errs.append(f"{f}: no {k}")
        name = doc.get("metadata", {}).get("name")
        if not name:
            errs.append(f"{f}: no metadata.name")
        objs[(doc.get("kind"), name)] = doc
dep = objs[("Deployment", "shian")]
labels = dep["spec"]["template"]["metadata"]["labels"]
def matches(sel):
    return all(labels.get(k) == v for k, v in sel.items())
if not matches(dep["spec"]["selector"]["matchLabels"]):
    errs.append("Deployment selector does not match its pod labels")
c = dep["spec"]["template"]["spec"]["containers"][0]
if c["readinessProbe"]["httpGet"]["path"] != "/readyz" or c["livenessProbe"]["httpGet"]["path"] != "/healthz":
    errs.append("Deployment probes are not /readyz (readiness) and /healthz (liveness)")
if not matches(objs[("Service", "shian")]["spec"]["selector"]):
    errs.append("Service selector does not match the pods")
if not matches(objs[("PodDisruptionBudget", "shian")]["spec"]["selector"]["matchLabels"]):
    errs.append("PDB selector does not match the pods")
if objs[("HorizontalPodAutoscaler", "shian")]["spec"]["scaleTargetRef"]["name"] != "shian":
    errs.append("HPA does not target the Deployment")
refs = {e["secretRef"]["name"] for e in c["envFrom"] if "secretRef" in e}
sec = yaml.safe_load(open("deploy/k8s/secret.example.yaml"))
if refs != {sec["metadata"]["name"]}:
    errs.append(f"Deployment references secrets {refs}, the example defines {sec['metadata']['name']}")
job = objs[("Job", "shian-migrate")]
if job["spec"]["template"]["spec"]["containers"][0]["args"] != ["migrate"]:
    errs.append("migration Job does not run migrate")
for e in errs:
    print("  " + e)
sys.exit(1 if errs else 0)
PY
else
	bad "python3 with PyYAML is needed for the YAML checks"
fi

# --- nginx ---
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
	mkdir -p "$tmp/nginx/cache" "$tmp/nginx/tmp"
	SHIAN_LISTEN=127.0.0.1:18999 SHIAN_UPSTREAM_A=127.0.0.1:18998 SHIAN_UPSTREAM_B=127.0.0.1:18997 \
		SHIAN_NGINX_CACHE="$tmp/nginx/cache" SHIAN_NGINX_LOG="$tmp/nginx/access.log" \
		envsubst '${SHIAN_LISTEN} ${SHIAN_UPSTREAM_A} ${SHIAN_UPSTREAM_B} ${SHIAN_NGINX_CACHE} ${SHIAN_NGINX_LOG}' \
		<deploy/nginx/shian.conf.template >"$tmp/nginx/shian.conf"
	cat >"$tmp/nginx/nginx.conf" <<CONF
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $tmp/nginx/tmp/body;
    proxy_temp_path $tmp/nginx/tmp/proxy;
    fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
    uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
    scgi_temp_path $tmp/nginx/tmp/scgi;
    include $tmp/nginx/shian.conf;
}
CONF
	if out=$(/usr/sbin/nginx -t -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>&1); then
		ok "nginx -t: deploy/nginx/shian.conf.template"
	else
		bad "nginx -t: $out"
	fi
else
	bad "nginx is not installed (apt-get install nginx)"
fi

# --- systemd ---
if command -v systemd-analyze >/dev/null; then
	go build -o "$tmp/shian" ./cmd/shian
	meili=$(scripts/devstack.sh meili-bin 2>/dev/null || echo /bin/true)
	for u in deploy/systemd/*.service deploy/systemd/*.timer; do
		sed -e "s|/usr/local/bin/shian|$tmp/shian|g" -e "s|/usr/local/bin/meilisearch|$meili|g" "$u" >"$tmp/$(basename "$u")"
	done
	if out=$(cd "$tmp" && systemd-analyze verify ./*.service ./*.timer 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify: deploy/systemd/*"
	else
		bad "systemd-analyze verify: $out"
	fi
else
	printf 'skip  systemd-analyze not available\n'
fi

# --- scripts ---
for s in deploy/*.sh scripts/stack.sh scripts/bench-all.sh; do
	[ -e "$s" ] || continue
	if bash -n "$s"; then ok "bash -n $s"; else bad "bash -n $s"; fi
done
exit $fail
