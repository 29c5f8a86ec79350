#!/bin/bash
# kuma/status.sh -- `meshdns --status` of the example zones against the
# expected files in tests/system/data/.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# --status of the example zones, in Kuma's shape (every line reviewed
# against ../shared/reference/kuma.md before it was frozen).
# ---------------------------------------------------------------------
diff_status universal
diff_status kubernetes
diff_status multizone-east

finish
