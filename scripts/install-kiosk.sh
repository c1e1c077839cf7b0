#!/usr/bin/env bash
# Installs offcirc as a kiosk (run as root): the executable from `npm run package`, a system user,
# a systemd unit that keeps the kiosk screen on a virtual terminal (or runs headless), udev rules
# that give that user the scanners, and an example config. Safe to run again (an upgrade is the same
# command); `--uninstall` removes what it installed and keeps the config and the journal.
#
#   sudo scripts/install-kiosk.sh [--headless | --tty N] [--prefix DIR] [--from DIR] [--root DIR]
#   sudo scripts/install-kiosk.sh --uninstall [--prefix DIR] [--root DIR]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly USER_NAME=offcirc
readonly CONFIG_DIR=/etc/offcirc
readonly CONFIG_FILE=/etc/offcirc/offcirc.json
readonly STATE_DIR=/var/lib/offcirc
readonly JOURNAL=/var/lib/offcirc/OffCirc.dat
readonly UNIT=/etc/systemd/system/offcirc.service
readonly RULES=/etc/udev/rules.d/70-offcirc-scanners.rules
readonly LINK=/usr/local/bin/offcirc
# The groups the udev rules open the scanners to (scripts/udev/70-offcirc-scanners.rules).
readonly SCANNER_GROUPS=(plugdev dialout)

usage() {
  cat <<EOF
Usage: install-kiosk.sh [options]

Installs the offcirc kiosk: the executable, the user "$USER_NAME", the systemd unit offcirc.service,
udev rules for the scanners and an example config. Run it again to upgrade; the config is kept.

  --headless      no screen: offcirc logs JSON lines to the system journal
  --tty N         the virtual terminal for the kiosk screen (default 8)
  --prefix DIR    where the executable goes (default /opt/offcirc)
  --from DIR      where "npm run package" put it (default: dist/ of this repository)
  --root DIR      install into DIR as if it were / (for tests and images): no user is made,
                  nothing is chowned, and systemctl and udevadm are not called
  --uninstall     remove the executable, unit and rules; keep $CONFIG_FILE and $STATE_DIR
  -h, --help      this text
EOF
}

die() {
  echo "install-kiosk: $*" >&2
  exit 1
}
usage_error() {
  echo "install-kiosk: $*" >&2
  usage >&2
  exit 64
}
say() { echo "  $*"; }

mode=screen
tty=8
prefix=/opt/offcirc
from="$SCRIPT_DIR/../dist"
root=
uninstall=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --headless) mode=headless ;;
    --tty)
      [[ $# -ge 2 ]] || usage_error "--tty needs a number"
      tty="$2"
      shift
      ;;
    --prefix)
      [[ $# -ge 2 ]] || usage_error "--prefix needs a folder"
      prefix="$2"
      shift
      ;;
    --from)
      [[ $# -ge 2 ]] || usage_error "--from needs a folder"
      from="$2"
      shift
      ;;
    --root)
      [[ $# -ge 2 ]] || usage_error "--root needs a folder"
      root="$2"
      shift
      ;;
    --uninstall) uninstall=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown option: $1" ;;
  esac
  shift
done

# Virtual terminals 1-63 exist on Linux; 1-6 usually carry login prompts.
[[ "$tty" =~ ^[1-9][0-9]?$ && "$tty" -le 63 ]] || usage_error "--tty must be a number from 1 to 63, got: $tty"
# The prefix goes into the unit's ExecStart= unquoted, and is removed on --uninstall: keep it plain.
[[ "$prefix" =~ ^/[A-Za-z0-9._/-]+$ && ! "$prefix" =~ (^|/)\.\.?(/|$) ]] ||
  usage_error "--prefix must be an absolute folder of letters, digits, . _ - and /, got: $prefix"
prefix="${prefix%/}"
case "$prefix" in
  /bin | /boot | /dev | /etc | /home | /lib | /lib64 | /opt | /proc | /root | /run | /sbin | /srv | /sys | /tmp | /usr | /usr/* | /var)
    [[ "$prefix" == /usr/local/* ]] || usage_error "--prefix $prefix is a system folder; give offcirc a folder of its own"
    ;;
esac
if [[ -n "$root" ]]; then
  [[ -d "$root" ]] || usage_error "--root $root is not a folder"
  root="$(cd "$root" && pwd)"
  [[ "$root" != / ]] || root=
elif [[ "$(id -u)" -ne 0 ]]; then
  die "run as root (sudo $0 ...), or with --root DIR to install into a folder"
fi
fake_root() { [[ -n "$root" ]]; }

# Runs a system command, or says it was left out under --root; a failure is a warning (a container
# has no running systemd or udevd), never a half-done install.
system() {
  if fake_root; then
    say "skipped (--root): $*"
  elif ! "$@"; then
    echo "install-kiosk: warning: '$*' failed; run it yourself once the system is up" >&2
  fi
}

# Replaces $2 with $1 in one rename, so a running kiosk never sees half a file.
replace_file() {
  local source="$1" target="$2" mode="$3"
  install -m "$mode" "$source" "$target.new"
  mv -f "$target.new" "$target"
}

fill_template() {
  sed -e "s|@TTY@|$tty|g" -e "s|@PREFIX@|$prefix|g" -e "s|@CONFIG@|$CONFIG_FILE|g" "$1"
}

do_uninstall() {
  echo "Removing offcirc${root:+ from $root}"
  if [[ -e "$root$UNIT" ]]; then
    system systemctl disable --now offcirc.service
    rm -f "$root$UNIT"
    system systemctl daemon-reload
    say "removed $UNIT"
  fi
  if [[ -e "$root$RULES" ]]; then
    rm -f "$root$RULES"
    system udevadm control --reload-rules
    say "removed $RULES"
  fi
  # The link only if it is ours: a technician's own /usr/local/bin/offcirc stays.
  if [[ -L "$root$LINK" && "$(readlink "$root$LINK")" == "$prefix/offcirc" ]]; then
    rm -f "$root$LINK"
    say "removed $LINK"
  fi
  rm -rf "$root$prefix/offcirc-lib" "$root$prefix/offcirc-lib.new"
  rm -f "$root$prefix/offcirc" "$root$prefix/offcirc.new"
  rmdir "$root$prefix" 2>/dev/null || true
  say "removed $prefix/offcirc and $prefix/offcirc-lib"
  rm -f "$root$CONFIG_DIR/offcirc.example.json" "$root$CONFIG_DIR/offcirc.schema.json"
  echo
  echo "Kept, because they hold your settings and loans not yet uploaded to Alma:"
  [[ -e "$root$CONFIG_FILE" ]] && say "$CONFIG_FILE"
  [[ -e "$root$STATE_DIR" ]] && say "$STATE_DIR (OffCirc.dat and logs)"
  getent passwd "$USER_NAME" >/dev/null 2>&1 && ! fake_root && say "the system user $USER_NAME (userdel $USER_NAME removes it)"
  return 0
}

ensure_user() {
  if fake_root; then
    say "skipped (--root): system user $USER_NAME in groups ${SCANNER_GROUPS[*]}"
    return
  fi
  local group
  for group in "${SCANNER_GROUPS[@]}"; do
    getent group "$group" >/dev/null || groupadd --system "$group"
  done
  if ! getent passwd "$USER_NAME" >/dev/null; then
    useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "offcirc kiosk" "$USER_NAME"
    say "made the system user $USER_NAME"
  fi
  usermod --append --groups "$(
    IFS=,
    echo "${SCANNER_GROUPS[*]}"
  )" "$USER_NAME"
}

# chown, except under --root, where the user does not exist.
own() {
  fake_root || chown "$@"
}

do_install() {
  local exe="$from/offcirc" lib="$from/offcirc-lib"
  [[ -x "$exe" && -d "$lib" ]] || die "no executable at $exe with $lib beside it: run npm run package first (or give --from)"
  [[ -f "$lib/config/offcirc.example.json" ]] || die "$lib/config/offcirc.example.json is missing: rebuild with npm run package"
  local templates="$SCRIPT_DIR/systemd" unit_template
  [[ "$mode" == headless ]] && unit_template="$templates/offcirc-headless.service.in" || unit_template="$templates/offcirc.service.in"
  [[ -f "$unit_template" && -f "$SCRIPT_DIR/udev/70-offcirc-scanners.rules" ]] || die "templates missing beside $0"

  echo "Installing offcirc ($mode${root:+, into $root})"
  ensure_user

  # The executable and its lib folder, each swapped in whole.
  install -d -m 0755 "$root$prefix"
  rm -rf "$root$prefix/offcirc-lib.new"
  cp -R "$lib" "$root$prefix/offcirc-lib.new"
  chmod -R u=rwX,go=rX "$root$prefix/offcirc-lib.new"
  rm -rf "$root$prefix/offcirc-lib"
  mv "$root$prefix/offcirc-lib.new" "$root$prefix/offcirc-lib"
  replace_file "$exe" "$root$prefix/offcirc" 0755
  install -d -m 0755 "$root$(dirname "$LINK")"
  ln -sfn "$prefix/offcirc" "$root$LINK"
  say "$prefix/offcirc (also on the PATH as $LINK)"

  # The config: readable by the kiosk (it may hold the staff PIN's hash), never overwritten.
  install -d -m 0750 "$root$CONFIG_DIR"
  own "root:$USER_NAME" "$root$CONFIG_DIR"
  replace_file "$lib/config/offcirc.example.json" "$root$CONFIG_DIR/offcirc.example.json" 0644
  if [[ -f "$lib/config/offcirc.schema.json" ]]; then
    replace_file "$lib/config/offcirc.schema.json" "$root$CONFIG_DIR/offcirc.schema.json" 0644
  fi
  local config_state="kept as it was"
  if [[ ! -e "$root$CONFIG_FILE" ]]; then
    install -m 0640 "$lib/config/offcirc.example.json" "$root$CONFIG_FILE"
    own "root:$USER_NAME" "$root$CONFIG_FILE"
    config_state="new, from the example: edit it"
  fi
  say "$CONFIG_FILE ($config_state)"

  # The journal's folder; systemd's StateDirectory= makes it too, this shows it before the first start.
  install -d -m 0750 "$root$STATE_DIR"
  own "$USER_NAME:$USER_NAME" "$root$STATE_DIR"

  local unit_text
  unit_text="$(fill_template "$unit_template")"
  install -d -m 0755 "$root$(dirname "$UNIT")"
  printf '%s\n' "$unit_text" >"$root$UNIT.new"
  chmod 0644 "$root$UNIT.new"
  mv -f "$root$UNIT.new" "$root$UNIT"
  say "$UNIT ($([[ $mode == headless ]] && echo "headless, logs in journalctl -u offcirc" || echo "screen on tty$tty"))"

  install -d -m 0755 "$root$(dirname "$RULES")"
  replace_file "$SCRIPT_DIR/udev/70-offcirc-scanners.rules" "$root$RULES" 0644
  say "$RULES (scanners open to the groups ${SCANNER_GROUPS[*]})"

  system udevadm control --reload-rules
  system udevadm trigger --subsystem-match=hidraw --subsystem-match=tty --action=change
  system systemctl daemon-reload
  system systemctl enable offcirc.service
  system systemctl restart offcirc.service

  local check
  if check="$("$root$prefix/offcirc" config check "$root$CONFIG_FILE" 2>&1)"; then
    say "config check: $check"
  else
    echo "install-kiosk: warning: the config has problems:" >&2
    echo "$check" >&2
  fi

  cat <<EOF

Now edit $CONFIG_FILE:
  - "station": a name for this desk, shown on the screen and in the logs;
  - "devices": your scanners. "offcirc devices" lists the ones plugged in, each with an entry to
    paste; prefer "match" (USB IDs) or a /dev/serial/by-id/ path over /dev/ttyACM0, which can change;
  - "journal.path" is $JOURNAL, where every loan and return is written.
Then: offcirc config check $CONFIG_FILE && systemctl restart offcirc

After an outage: offcirc rotate --config $CONFIG_FILE moves the journal to
$(dirname "$JOURNAL")/outbox/, ready to check (offcirc verify) and upload in Alma (Fulfillment >
Advanced Tools > Offline Circulation); then move the file out of the outbox so it is never sent twice.
EOF
  if [[ "$mode" == screen ]]; then
    echo "The kiosk screen is on tty$tty (Ctrl+Alt+F$tty); journalctl -u offcirc shows why it stopped, if it does."
  else
    echo "Follow it with: journalctl -u offcirc -f"
  fi
}

if [[ "$uninstall" -eq 1 ]]; then
  do_uninstall
else
  do_install
fi
