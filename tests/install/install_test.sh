#!/usr/bin/env bash
# install_test.sh BUILD_DIR WORK_DIR SOURCE_DIR [FLAGS] — installs the build
# into WORK_DIR/prefix, checks the installed C++ headers are the public list,
# each compiling on its own, and builds consumers against it with CMake and
# pkg-config. FLAGS (e.g. -fsanitize=address,undefined when the libraries were
# built sanitized) are added to every consumer compile and link.
# Fails (non-zero) on the first step that does; every step says what it does.
set -euo pipefail
build_dir=$1 work=$2 source=$3 flags=${4:-}
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

step() { echo "== $*"; }

step "install into $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log"
for path in bin/authzc include/authz/authz.h include/authz/runtime/engine.h \
            include/authz/runtime/internal/value_store.h share/authz/stdlib/std/obligations.authz; do
  [[ -e $prefix/$path ]] || { echo "missing $path in the installed tree"; exit 1; }
done
# The public API is a list (cmake/AuthzInstall.cmake): of runtime/internal/
# only the two headers public types hold by value are installed, and every
# installed header compiles on its own, so none includes one left out.
step "installed headers: the public list, each self-contained"
internal=$(cd "$prefix/include/authz/runtime" && find internal -type f | sort | tr '\n' ' ')
[[ $internal == "internal/small_vector.h internal/value_store.h " ]] || {
  echo "installed runtime/internal/ holds \`$internal\`, expected only small_vector.h and value_store.h"; exit 1; }
for header in $(cd "$prefix/include/authz" && find runtime authz.h -name '*.h' | sort); do
  # shellcheck disable=SC2086
  printf '#include "%s"\n' "$header" | c++ $flags -std=c++20 -fsyntax-only -I"$prefix/include/authz" -x c++ - ||
    { echo "installed header \`$header\` does not compile on its own"; exit 1; }
done
echo "$(cd "$prefix/include/authz" && find runtime authz.h -name '*.h' | wc -l) headers: $(cd "$prefix/include/authz" && find runtime authz.h -name '*.h' | sort | tr '\n' ' ')"

libdir=$(dirname "$(find "$prefix" -name libauthz_runtime.a | head -1)")
[[ -f $libdir/cmake/authz/authzConfig.cmake && -f $libdir/pkgconfig/authz.pc ]] || { echo "no package files in $libdir"; exit 1; }

step "the installed authzc builds the sales table (stdlib from the prefix)"
table=$work/sales.authzt
env -u AUTHZ_STDLIB "$prefix/bin/authzc" build --color never "$source/examples/sales" -o "$table"

step "CMake consumer: find_package(authz) -> authz::runtime, authz::c"
cmake -S "$source/tests/install/consumer" -B "$work/cmake-consumer" -G Ninja \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" -DAUTHZ_C_EXAMPLE="$source/examples/c-embed/main.c" >"$work/cmake-consumer.log"
cmake --build "$work/cmake-consumer" -j2 >>"$work/cmake-consumer.log"
"$work/cmake-consumer/cpp_consumer" "$table"
"$work/cmake-consumer/c_consumer" "$table"

step "shared library: SONAME, only the C ABI exported, consumers link it"
so=$libdir/libauthz_c.so
[[ -L $so && -f $libdir/libauthz_c.so.1 ]] || { echo "missing libauthz_c.so / libauthz_c.so.1 in $libdir"; exit 1; }
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname == libauthz_c.so.1 ]] || { echo "SONAME is \`$soname\`, expected libauthz_c.so.1"; exit 1; }
exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//' | sort -u)
others=$(grep -v -E '^(authz_[a-z_]+|AUTHZ_C_[0-9]+)$' <<<"$exported" || true)
[[ -z $others ]] || { echo "libauthz_c.so exports more than the C ABI:"; head -20 <<<"$others"; exit 1; }
grep -qx authz_evaluate <<<"$exported" || { echo "libauthz_c.so does not export authz_evaluate"; exit 1; }
needs() { readelf -d "$1" | grep -q "(NEEDED).*\[libauthz_c.so.1\]"; }
needs "$work/cmake-consumer/c_shared_consumer" || { echo "c_shared_consumer does not link libauthz_c.so.1"; exit 1; }
"$work/cmake-consumer/c_shared_consumer" "$table"

step "pkg-config consumers: authz (C++), authz-c (C)"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[[ $(pkg-config --modversion authz) == "$(pkg-config --modversion authz-c)" ]]
# shellcheck disable=SC2046
c++ $flags -std=c++20 "$source/tests/install/consumer/main.cpp" $(pkg-config --cflags --libs authz) -o "$work/pc_cpp_consumer"
# shellcheck disable=SC2046
cc $flags -std=c11 -Wall -Werror "$source/examples/c-embed/main.c" $(pkg-config --cflags --libs authz-c) -o "$work/pc_c_consumer"
"$work/pc_cpp_consumer" "$table"
"$work/pc_c_consumer" "$table"
if needs "$work/pc_c_consumer"; then echo "pkg-config authz-c linked the shared library, not the static one"; exit 1; fi
# shellcheck disable=SC2046
cc $flags -std=c11 -Wall -Werror "$source/examples/c-embed/main.c" $(pkg-config --cflags --libs authz-c-shared) -o "$work/pc_c_shared_consumer"
needs "$work/pc_c_shared_consumer" || { echo "pkg-config authz-c-shared did not link libauthz_c.so.1"; exit 1; }
LD_LIBRARY_PATH=$libdir "$work/pc_c_shared_consumer" "$table"
echo "install test passed"
