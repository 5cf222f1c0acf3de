# Shared helpers for scripts/demo and scripts/test (sourced, not executed).
# They prepare a fresh Debian 12 machine: Debian packages, then a virtual
# environment in .venv (Debian's python3 refuses a bare "pip install", PEP 668).

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "cpambot : il faut les droits administrateur pour installer : $*" >&2
        exit 1
    fi
}

apt_install() {
    # apt_install PACKAGE... : installs the missing Debian packages, once.
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installation des paquets Debian : ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_python() {
    command -v python3 >/dev/null 2>&1 || apt_install python3
    if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    local ok
    ok=$(python3 -c 'import sys; print(int(sys.version_info >= (3, 11)))')
    if [ "$ok" != 1 ]; then
        echo "cpambot : Python 3.11 ou plus récent est nécessaire" >&2
        exit 1
    fi
}

make_venv() {
    # make_venv SPEC : creates .venv if needed and installs the project (SPEC like ".[test]").
    ensure_python
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check -e "$1"
}
