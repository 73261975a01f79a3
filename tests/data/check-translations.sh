#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# Checks that every language in po/LINGUAS is complete for the current
# sources. The POT is regenerated here from po/POTFILES.in (not taken from
# the tree), so a new untranslated string fails the test at once, and a
# source file with translatable strings that is missing from POTFILES.in
# fails too (its strings would silently never reach translators).
#
# Usage: check-translations.sh <top source dir> [potfiles|languages|all]
#   potfiles   only checks that po/POTFILES.in is complete and exists
#   languages  only checks that every po/LINGUAS entry is complete
# Exit: 0 ok, 1 problems found, 77 tools missing (meson reports SKIP).

set -eu

srcdir=${1:?usage: $0 <top source dir> [potfiles|languages|all]}
mode=${2:-all}
case $mode in
  potfiles|languages|all) ;;
  *) echo "unknown mode: $mode" >&2; exit 2 ;;
esac
podir=$srcdir/po
domain=iflow2api

for tool in xgettext msgmerge msgfmt; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not found (install gettext)" >&2
    exit 77
  fi
done

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT INT TERM

status=0

# POTFILES.in without comments and blank lines.
sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$podir/POTFILES.in" > "$tmpdir/potfiles"

# 1. Every listed file exists.
while IFS= read -r f; do
  if [ ! -f "$srcdir/$f" ]; then
    echo "FAIL: po/POTFILES.in lists $f, which does not exist" >&2
    status=1
  fi
done < "$tmpdir/potfiles"

# 2. Every source file that marks strings for translation is listed
#    (po/POTFILES.skip, if present, names deliberate exceptions).
: > "$tmpdir/skip"
: > "$tmpdir/marked"
if [ -f "$podir/POTFILES.skip" ]; then
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$podir/POTFILES.skip" > "$tmpdir/skip"
fi
[ "$mode" = languages ] || (
  cd "$srcdir"
  if [ -d src ]; then
    grep -rlE --include='*.c' --include='*.h' \
      '(^|[^A-Za-z0-9_])(N?C?_|g_dngettext|ngettext)[[:space:]]*\(' src || true
    grep -rlE --include='*.ui' 'translatable="(yes|true)"' src || true
  fi
) | sort > "$tmpdir/marked"
while IFS= read -r f; do
  if ! grep -qxF "$f" "$tmpdir/potfiles" && ! grep -qxF "$f" "$tmpdir/skip"; then
    echo "FAIL: $f has translatable strings but is not in po/POTFILES.in" >&2
    status=1
  fi
done < "$tmpdir/marked"

if [ "$status" -ne 0 ] || [ "$mode" = potfiles ]; then
  exit "$status"
fi

# 3. Regenerate the template with the same options as meson's
#    i18n.gettext(preset: 'glib'). .c/.h are parsed as C; .ui, .xml and
#    .xml.in through the ITS rules gettext, GLib and GTK install
#    (GtkBuilder, gschema, AppStream); .desktop.in as a desktop file.
(
  cd "$srcdir"
  xgettext \
    --package-name="$domain" \
    --files-from="$tmpdir/potfiles" \
    --directory=. \
    --output="$tmpdir/$domain.pot" \
    --from-code=UTF-8 \
    --add-comments \
    --keyword=_ \
    --keyword=N_ \
    --keyword=C_:1c,2 \
    --keyword=NC_:1c,2 \
    --keyword=g_dcgettext:2 \
    --keyword=g_dngettext:2,3 \
    --keyword=g_dpgettext2:2c,3 \
    --flag=N_:1:pass-c-format \
    --flag=C_:2:pass-c-format \
    --flag=NC_:2:pass-c-format \
    --flag=g_dngettext:2:pass-c-format \
    --flag=g_strdup_printf:1:c-format \
    --flag=g_string_printf:2:c-format \
    --flag=g_string_append_printf:2:c-format \
    --flag=g_error_new:3:c-format \
    --flag=g_set_error:4:c-format \
    --flag=g_markup_printf_escaped:1:c-format
)

# 4. Each language must translate every message, with no fuzzy entries and
#    no format mismatches (msgfmt -c). Merged into a copy: the tree is
#    never modified by the test.
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$podir/LINGUAS" | tr -s ' \t' '\n\n' | sed '/^$/d' > "$tmpdir/linguas"
while IFS= read -r lang; do
  po=$podir/$lang.po
  if [ ! -f "$po" ]; then
    echo "FAIL: po/LINGUAS lists $lang but po/$lang.po does not exist" >&2
    status=1
    continue
  fi
  if ! msgmerge --quiet --previous -o "$tmpdir/$lang.po" "$po" "$tmpdir/$domain.pot"; then
    echo "FAIL: msgmerge failed for po/$lang.po" >&2
    status=1
    continue
  fi
  if ! msgfmt -c --statistics -o /dev/null "$tmpdir/$lang.po" 2> "$tmpdir/$lang.stats"; then
    cat "$tmpdir/$lang.stats" >&2
    echo "FAIL: msgfmt -c rejects po/$lang.po" >&2
    status=1
    continue
  fi
  stats=$(cat "$tmpdir/$lang.stats")
  echo "$lang: $stats"
  case $stats in
    *fuzzy*|*untranslated*)
      echo "FAIL: po/$lang.po is incomplete; these need work:" >&2
      msgattrib --only-fuzzy --no-obsolete "$tmpdir/$lang.po" >&2 || true
      msgattrib --untranslated --no-obsolete "$tmpdir/$lang.po" >&2 || true
      echo "  fix: meson compile -C <builddir> $domain-update-po, then edit po/$lang.po" >&2
      status=1
      ;;
  esac
done < "$tmpdir/linguas"

exit "$status"
