// Fuzz target: the config loader. Contract: any bytes give a config or an InputError; no crash,
// no leak, no other exception (libFuzzer reports whatever escapes).
//   1. load_config on the bytes as a file: reading, JSON syntax and validation together.
//   2. parse_config on the bytes as a JSON value given in memory, as a C++ caller would: from
//      text JSON, and from CBOR, which also carries values text JSON cannot (NaN and infinite
//      numbers, strings that are not UTF-8, binary values).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "scratch_dir.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/errors.hpp"

namespace {

void parse_value(const nlohmann::json& value) {
  if (value.is_discarded()) return;  // not JSON (or not CBOR) at all: nothing to hand over
  try {
    tapegrad::models::parse_config(value, tapegrad_fuzz::scratch().dir(), "fuzz.json");
  } catch (const tapegrad::models::InputError&) {
  }
}

// The CBOR decoder is not under test: it throws for some inputs even with allow_exceptions off
// (out_of_range.408, "excessive array size", in nlohmann/json 3.11), so any of its errors means
// "not CBOR".
nlohmann::json from_cbor(const std::string& bytes) {
  try {
    return nlohmann::json::from_cbor(bytes, /*strict=*/true, /*allow_exceptions=*/false);
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    tapegrad::models::load_config(tapegrad_fuzz::scratch().write("config.json", bytes));
  } catch (const tapegrad::models::InputError&) {
  }
  parse_value(nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false));
  parse_value(from_cbor(bytes));
  return 0;
}
