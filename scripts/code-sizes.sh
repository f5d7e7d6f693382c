#!/usr/bin/env bash
# code-sizes.sh — reports the C++ source files over the file-size limit and the functions over the
# function-size limit in compiler/, runtime/ and tools/ (issue #19: files by job, functions by step).
#
# Contract:
# - Scans *.cpp, *.h, *.hpp, *.inl under compiler/ runtime/ tools/ of the repository this script
#   lives in. Generated code is excepted: a file under a `generated/` folder, or one whose first
#   5 lines hold `@generated` or `DO NOT EDIT`, is skipped (the ANTLR parser is generated into
#   build/, so it is never scanned).
# - Files: physical line count (`wc -l`) over MAX_FILE_LINES (800).
# - Functions: universal-ctags function definitions (C++ kind `f`, lambdas included, shown as
#   `<lambda in SCOPE>`), length = end - line + 1 from ctags' `line:`/`end:` fields, over
#   MAX_FUNCTION_LINES (120). A function's length includes the lambdas it contains.
# - Output: one line per offender, `LINES  path[:line  name]`, largest first, under a heading per
#   section, then a summary line. Deterministic for a given tree.
# - Exit status: 0 always, unless --check is given; then 1 when anything is over a limit.
#   2 on a usage error or when ctags is missing (package `universal-ctags`, in bootstrap.sh --tests).
set -euo pipefail

max_file_lines=800
max_function_lines=120
check=0

usage() {
  cat <<'EOF'
usage: scripts/code-sizes.sh [--check] [--help]

Prints the source files over 800 lines and the functions over 120 lines in
compiler/, runtime/ and tools/ (generated code excepted), largest first.

  --check   exit 1 when any file or function is over its limit (default: exit 0)
  --help    show this help

Needs universal-ctags (Debian package `universal-ctags`).
EOF
}

for arg in "$@"; do
  case $arg in
    --check) check=1 ;;
    --help|-h) usage; exit 0 ;;
    *) echo "error: unknown argument \`$arg\`" >&2
       echo "  = help: run \`scripts/code-sizes.sh --help\`" >&2
       exit 2 ;;
  esac
done

if ! ctags --version 2>/dev/null | grep -q 'Universal Ctags'; then
  echo "error: universal-ctags is not installed" >&2
  echo "  = help: run \`scripts/bootstrap.sh --tests\` (or \`apt-get install universal-ctags\`)" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

files=()
while IFS= read -r -d '' file; do
  [[ $file == */generated/* ]] && continue
  head -n 5 "$file" | grep -qE '@generated|DO NOT EDIT' && continue
  files+=("$file")
done < <(find compiler runtime tools -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \
           -o -name '*.inl' \) -print0 | sort -z)

big_files=$(wc -l "${files[@]}" | awk -v max="$max_file_lines" \
  '$2 != "total" && $1 > max { printf "%6d  %s\n", $1, $2 }' | sort -k1,1nr -k2,2)

# ctags -o - prints: name<TAB>file<TAB>/pattern/;"<TAB>kind<TAB>line:N<TAB>...<TAB>end:M
big_functions=$(ctags --languages=C++ --langmap=C++:+.inl --fields=+ne --kinds-C++=f -o - \
    "${files[@]}" | awk -F '\t' -v max="$max_function_lines" '
  {
    name = $1; file = $2; line = ""; end = ""; scope = ""
    for (i = 4; i <= NF; i++) {
      if ($i ~ /^line:/) line = substr($i, 6)
      else if ($i ~ /^end:/) end = substr($i, 5)
      else if ($i ~ /^(class|struct|namespace|function|union):/) scope = substr($i, index($i, ":") + 1)
    }
    if (line == "" || end == "") next
    if (name ~ /^__anon/) name = "<lambda in " scope ">"
    else if (scope != "" && scope !~ /__anon/) name = scope "::" name
    size = end - line + 1
    if (size > max) printf "%6d  %s:%s  %s\n", size, file, line, name
  }' | sed -E 's/authz::(runtime::|compiler::|gateway::|oauth::|http::)?//g' | sort -k1,1nr -k2,2)

count() { [[ -z $1 ]] && echo 0 || printf '%s\n' "$1" | wc -l; }
file_count=$(count "$big_files")
function_count=$(count "$big_functions")

echo "files over $max_file_lines lines:"
[[ -n $big_files ]] && printf '%s\n' "$big_files"
echo
echo "functions over $max_function_lines lines:"
[[ -n $big_functions ]] && printf '%s\n' "$big_functions"
echo
echo "code-sizes: $file_count file(s) over $max_file_lines lines, $function_count function(s) over $max_function_lines lines (${#files[@]} files scanned)"

if (( check )) && (( file_count + function_count > 0 )); then
  exit 1
fi
exit 0
