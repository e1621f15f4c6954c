# cmake -DOUTPUT=file.cpp -DASSET_DIR=dir -DASSETS="index.html;app.js" -P embed_assets.cmake
# Writes the inspector page's files (include/veritee/rats/inspect.hpp, inspector_asset) into a
# C++ source at build time: the binary serves them from memory, never from disk or a CDN.
# index.html answers "/", every other file "/<name>". Each byte is written as a \xNN escape, so
# no content can end the literal.
set(cases "")
set(defs "")
set(n 0)
foreach(name IN LISTS ASSETS)
  file(READ "${ASSET_DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  # Lines of 64 bytes, for compilers and readers.
  string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){64})" "\\1\"\n    \"" escaped "${escaped}")
  if(name MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(name MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(name MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(name MATCHES "\\.png$")
    set(type "image/png")
  else()
    message(FATAL_ERROR "embed_assets: no content type for ${name}")
  endif()
  if(name STREQUAL "index.html")
    set(path "/")
  else()
    set(path "/${name}")
  endif()
  string(APPEND defs "constexpr std::string_view kAsset${n}{\n    \"${escaped}\",\n    ${size}};\n")
  string(APPEND cases "  if (path == \"${path}\") return InspectorAsset{\"${type}\", kAsset${n}};\n")
  math(EXPR n "${n} + 1")
endforeach()
set(text "// Generated at build time by cmake/embed_assets.cmake from src/rats/service/inspector/.
#include \"veritee/rats/inspect.hpp\"

namespace veritee::rats {
namespace {

${defs}
}  // namespace

std::optional<InspectorAsset> inspector_asset(std::string_view path) {
${cases}  return std::nullopt;
}

}  // namespace veritee::rats
")
# Rewrite only on change, so an unchanged page does not rebuild the library.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${text}")
