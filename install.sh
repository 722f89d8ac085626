#!/usr/bin/env bash
# Installs or upgrades Aerie on a Debian/Ubuntu server (made for a fresh Ubuntu 22.04/24.04
# Droplet). Run from a clone of the repository, as root:
#
#   sudo ./install.sh --domain aerie.example.com --email you@example.com --users you.bsky.social
#
# It builds the binary (installing a Rust toolchain with rustup if needed; or use --binary
# PATH), creates the `aerie` system user, writes /etc/aerie/aerie.toml from the flags (or
# prompts; an existing file is kept unless --reconfigure), installs the hardened systemd unit
# and starts it. Running it again upgrades in place: new binary, same config and data, restart.
#
# Options:
#   --domain NAME       public domain (TLS certificates from Let's Encrypt via ACME)
#   --email ADDRESS     contact for the certificate authority
#   --users LIST        comma-separated handles or DIDs of the people this Aerie serves
#   --admins LIST       comma-separated DIDs allowed to open /admin
#   --data-dir PATH     keep the data elsewhere, e.g. a block-storage volume
#                       (/mnt/volume_nyc1_01/aerie); default /var/lib/aerie
#   --no-tls            plain HTTP on port 80 (behind your own TLS proxy)
#   --postgres-url URL  keep the data in PostgreSQL instead of the embedded store, e.g.
#                       postgres://aerie:PASSWORD@127.0.0.1:5432/aerie (the config file is
#                       readable by root and the aerie group only)
#   --binary PATH       install this binary instead of building
#   --reconfigure       rewrite /etc/aerie/aerie.toml from the flags
#   --root DIR          install under DIR instead of / (for testing; skips users and systemctl)
#   --yes               never prompt (missing values stay unset)
set -euo pipefail

domain="" email="" users="" admins="" data_dir="" binary="" root="" tls=1 reconfigure=0 yes=0
postgres_url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --domain) domain="$2"; shift 2 ;;
    --email) email="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --admins) admins="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --root) root="${2%/}"; shift 2 ;;
    --no-tls) tls=0; shift ;;
    --postgres-url) postgres_url="$2"; shift 2 ;;
    --reconfigure) reconfigure=1; shift ;;
    --yes|-y) yes=1; shift ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { echo "install.sh: $*" >&2; exit 1; }
here="$(cd "$(dirname "$0")" && pwd)"
real_root=0
[ -z "$root" ] && real_root=1
[ "$real_root" = 0 ] || [ "$(id -u)" = 0 ] || die "run as root (sudo ./install.sh ...)"

if [ "$real_root" = 1 ] && [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  case "${ID:-}:${VERSION_ID:-}" in
    ubuntu:22.04|ubuntu:24.04|debian:12|debian:13) ;;
    *) say "warning: made for Ubuntu 22.04/24.04; this is ${PRETTY_NAME:-unknown}" ;;
  esac
fi

ask() { # ask VAR "question": prompts when VAR is empty and a terminal is there
  local var="$1" q="$2"
  if [ -z "${!var}" ] && [ "$yes" = 0 ] && [ -t 0 ]; then
    read -r -p "$q " "${var?}"
  fi
}

config="$root/etc/aerie/aerie.toml"
if [ ! -f "$config" ] || [ "$reconfigure" = 1 ]; then
  [ "$tls" = 1 ] && ask domain "Domain name for Aerie (e.g. aerie.example.com; empty for plain HTTP):"
  [ "$tls" = 1 ] && [ -n "$domain" ] && ask email "Email for Let's Encrypt:"
  ask users "Handles of the people it serves (comma-separated):"
fi

# 1. The binary.
if [ -n "$binary" ]; then
  [ -x "$binary" ] || die "$binary is not an executable"
else
  if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
    say "installing a Rust toolchain (rustup)"
    if command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential curl ca-certificates >/dev/null
    fi
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  fi
  export PATH="$HOME/.cargo/bin:$PATH"
  say "building Aerie (release; a few minutes on a small machine)"
  (cd "$here" && cargo build --release --locked --bin aerie)
  binary="$here/target/release/aerie"
fi
install -d -m 0755 "$root/usr/local/bin"
install -m 0755 "$binary" "$root/usr/local/bin/aerie.new"
mv -f "$root/usr/local/bin/aerie.new" "$root/usr/local/bin/aerie"
say "installed $root/usr/local/bin/aerie ($("$root/usr/local/bin/aerie" --version 2>/dev/null || echo aerie))"

# 2. The user and directories.
if [ "$real_root" = 1 ] && ! id aerie >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/aerie --no-create-home --shell /usr/sbin/nologin aerie
  say "created the aerie user"
fi
install -d -m 0755 "$root/etc/aerie"
if [ -n "$data_dir" ]; then
  install -d -m 0700 "$root$data_dir"
  [ "$real_root" = 1 ] && chown aerie:aerie "$data_dir"
fi

# 3. The configuration (kept on upgrade).
toml_list() { # "a,b" -> ["a", "b"]
  local out="" item
  IFS=',' read -r -a items <<<"$1"
  for item in "${items[@]}"; do
    item="$(echo "$item" | tr -d '[:space:]')"
    [ -n "$item" ] && out="$out${out:+, }\"$item\""
  done
  printf '[%s]' "$out"
}
if [ ! -f "$config" ] || [ "$reconfigure" = 1 ]; then
  {
    echo "# Written by install.sh; every key is documented in config/aerie.toml of the source."
    echo "data_dir = \"${data_dir:-/var/lib/aerie}\""
    echo "listen = \"0.0.0.0:80\""
    echo "users = $(toml_list "$users")"
    echo "admins = $(toml_list "$admins")"
    if [ "$tls" = 1 ] && [ -n "$domain" ]; then
      echo "public_url = \"https://$domain\""
      echo
      echo "[tls]"
      echo "mode = \"acme\""
      echo "listen = \"0.0.0.0:443\""
      echo "domains = [\"$domain\"]"
      [ -n "$email" ] && echo "email = \"$email\""
    fi
    if [ -n "$postgres_url" ]; then
      echo
      echo "[storage]"
      echo "backend = \"postgres\""
      echo "postgres_url = \"$postgres_url\""
    fi
  } >"$config.new"
  chmod 0640 "$config.new"
  mv -f "$config.new" "$config"
  [ "$real_root" = 1 ] && chown root:aerie "$config"
  say "wrote $config"
else
  say "kept $config (--reconfigure to rewrite it)"
fi

# 4. The service.
unit_dir="$root/etc/systemd/system"
install -d -m 0755 "$unit_dir"
install -m 0644 "$here/systemd/aerie.service" "$unit_dir/aerie.service"
if [ -n "$data_dir" ]; then
  install -d -m 0755 "$unit_dir/aerie.service.d"
  cat >"$unit_dir/aerie.service.d/data-dir.conf" <<UNIT
# Written by install.sh: the data lives on $data_dir.
[Service]
Environment=AERIE_DATA_DIR=$data_dir
ReadWritePaths=$data_dir
UNIT
fi
if [ "$real_root" = 1 ]; then
  systemctl daemon-reload
  if systemctl is-active --quiet aerie; then
    systemctl restart aerie
    say "upgraded and restarted aerie"
  else
    systemctl enable --now aerie
    say "enabled and started aerie"
  fi
  if command -v ufw >/dev/null 2>&1 && ufw status | grep -q "Status: active"; then
    ufw allow 80/tcp >/dev/null && ufw allow 443/tcp >/dev/null
    say "opened ports 80 and 443 in ufw"
  fi
  say "logs: journalctl -u aerie -f    health: aerie healthcheck --config $config"
else
  say "installed under $root (no user created, systemctl skipped)"
fi
