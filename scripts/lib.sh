# Shell helpers shared by scripts/prerequisites.sh, scripts/demo.sh and .ci/run (sourced, not run).
# Bash 3.2 compatible (macOS's /bin/bash): no associative arrays, no ${var,,}.

# reachable URL DEFAULT_PORT: exit 0 when something accepts a TCP connection where the URL points (its
# first server, the port defaulting to DEFAULT_PORT), within 2 s. Node parses the URL, so user info,
# IPv6 hosts, a missing port and PostgreSQL's `?host=/socket/dir` are all understood.
reachable() {
  node -e '
    const net = require("node:net");
    const fs = require("node:fs");
    const [raw, fallback] = process.argv.slice(1);
    let u;
    try { u = new URL(raw.split(",")[0].trim()); } catch { process.exit(1); }
    const port = Number(u.port || fallback);
    const socketDir = u.searchParams.get("host");
    if (socketDir && socketDir.startsWith("/"))
      process.exit(fs.existsSync(`${socketDir}/.s.PGSQL.${port}`) ? 0 : 1);
    const host = (u.hostname || "localhost").replace(/^\[|\]$/g, "");
    const s = net.connect({ host, port, timeout: 2000 }, () => { s.destroy(); process.exit(0); });
    s.on("error", () => process.exit(1));
    s.on("timeout", () => process.exit(1));
  ' "$1" "$2"
}

# url_port URL DEFAULT_PORT: the port of the URL's first server.
url_port() {
  node -e 'const [raw, d] = process.argv.slice(1); try { console.log(new URL(raw.split(",")[0].trim()).port || d); } catch { console.log(d); }' "$1" "$2"
}

# can_apt: this machine can install Debian packages itself (apt-get, as root).
can_apt() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; }

# apt_install PACKAGE...: installs quietly; apt's chatter (debconf, needrestart) is shown only when it
# fails. Returns non-zero on failure (callers say what to do).
apt_install() {
  local log
  log="$(mktemp)"
  if [ -z "${UE_APT_UPDATED:-}" ]; then
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    UE_APT_UPDATED=1
  fi
  if ! DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l apt-get install -y -qq "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}
