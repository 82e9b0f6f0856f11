#include "theon/config.hpp"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "theon/error.hpp"

namespace theon {
namespace {

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "1" || value == "True" || value == "true") return true;
  if (value == "0" || value == "False" || value == "false") return false;
  THEON_FAIL(ValueError) << "THEON_FLAGS: " << key << " needs a boolean, got '" << value << "'";
}

// A number of seconds or megabytes: finite and not negative.
double parse_amount(const std::string& key, const std::string& value) {
  size_t used = 0;
  double v = -1;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  THEON_CHECK_USER(used == value.size() && v >= 0 && v < 1e12, ValueError)
      << "THEON_FLAGS: " << key << " needs a number >= 0, got '" << value << "'";
  return v;
}

}  // namespace

void apply_flags(Config& cfg, const std::string& flags) {
  std::istringstream in(flags);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    size_t eq = item.find('=');
    THEON_CHECK_USER(eq != std::string::npos, ValueError)
        << "THEON_FLAGS: expected key=value, got '" << item << "'";
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "floatX") {
      DType d = dtype_from_name(value);
      THEON_CHECK_USER(is_float(d), ValueError)
          << "THEON_FLAGS: floatX must be float32 or float64, got '" << value << "'";
      cfg.floatX = d;
    } else if (key == "optimizer") {
      THEON_CHECK_USER(value == "fast_run" || value == "fast_compile" || value == "None", ValueError)
          << "THEON_FLAGS: optimizer must be fast_run, fast_compile or None, got '" << value << "'";
      cfg.optimizer = value;
    } else if (key == "optimizer_including") {
      cfg.optimizer_including = value;
    } else if (key == "optimizer_excluding") {
      cfg.optimizer_excluding = value;
    } else if (key == "optimizer_verbose") {
      cfg.optimizer_verbose = parse_bool(key, value);
    } else if (key == "on_opt_error") {
      THEON_CHECK_USER(value == "warn" || value == "raise", ValueError)
          << "THEON_FLAGS: on_opt_error must be warn or raise, got '" << value << "'";
      cfg.on_opt_error = value;
    } else if (key == "exception_verbosity") {
      THEON_CHECK_USER(value == "low" || value == "high", ValueError)
          << "THEON_FLAGS: exception_verbosity must be low or high, got '" << value << "'";
      cfg.exception_verbosity = value;
    } else if (key == "cxx") {
      cfg.cxx = value;
    } else if (key == "cgen_keep_source") {
      cfg.cgen_keep_source = parse_bool(key, value);
    } else if (key == "cgen_timeout") {
      cfg.cgen_timeout = parse_amount(key, value);
    } else if (key == "cgen_exit_wait") {
      cfg.cgen_exit_wait = parse_amount(key, value);
    } else if (key == "cache_max_mb") {
      cfg.cache_max_mb = parse_amount(key, value);
    } else if (key == "blas_coretype") {
      THEON_CHECK_USER(!value.empty(), ValueError)
          << "THEON_FLAGS: blas_coretype must be auto, keep or an OpenBLAS core name";
      cfg.blas_coretype = value;
    } else if (key == "cgen_graph") {
      cfg.cgen_graph = parse_bool(key, value);
    } else if (key == "conv_algorithm") {
      THEON_CHECK_USER(value == "auto" || value == "im2col" || value == "onednn" ||
                           value == "onednn_plain" || value == "onednn_winograd" ||
                           value == "direct" || value == "lanes",
                       ValueError)
          << "THEON_FLAGS: conv_algorithm must be auto, im2col, onednn, onednn_plain, "
             "onednn_winograd, direct or lanes, got '"
          << value << "'";
      cfg.conv_algorithm = value;
    } else if (key == "compute_test_value") {
      THEON_CHECK_USER(value == "off" || value == "ignore" || value == "warn" || value == "raise" ||
                           value == "pdb",
                       ValueError)
          << "THEON_FLAGS: compute_test_value must be off, ignore, warn, raise or pdb, got '" << value
          << "'";
      cfg.compute_test_value = value;
    } else if (key == "profile") {
      cfg.profile = parse_bool(key, value);
    } else {
      THEON_FAIL(ValueError) << "THEON_FLAGS: unknown flag '" << key << "'";
    }
  }
}

Config& config() {
  static Config cfg = [] {
    Config c;
    if (const char* flags = std::getenv("THEON_FLAGS")) apply_flags(c, flags);
    return c;
  }();
  return cfg;
}

}  // namespace theon
