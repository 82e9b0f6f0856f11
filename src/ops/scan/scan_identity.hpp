// The identity of a Scan op: two scans are equal (so merge makes their applications one)
// when their specs are equal up to a renaming of the body's variables.
//
// canonical_scan_text() writes a spec as text that depends only on its structure: the
// counts, taps, store, truncation and updated shared variables; the body's inputs by
// position and type; each body node in a canonical order, as its op (C++ type, name,
// props), its arguments (inner input k, output o of node m, a constant by dtype, shape
// and bytes) and its output types. Names and source locations are left out (Theano
// ignores them too). A nested Scan's props are its own identity, so nesting composes.
//
// Props must stay short (they are printed and saved), so the text is interned: equal
// texts get the same short id, different texts never do.
#pragma once

#include <string>

namespace theon::detail {

struct ScanSpec;

// `self` stands for the op in the text when its body has a side effect (a Print inside
// must print once per loop, so such a scan equals only itself).
std::string canonical_scan_text(const ScanSpec& spec, const void* self);

// A held id for one canonical text: equal texts share an id while any holder lives.
class ScanIdentity {
 public:
  explicit ScanIdentity(const std::string& text);
  ~ScanIdentity();
  ScanIdentity(const ScanIdentity&) = delete;
  ScanIdentity& operator=(const ScanIdentity&) = delete;
  const std::string& id() const;

 private:
  void* entry_;  // the registry's entry (scan_identity.cpp)
};

}  // namespace theon::detail
