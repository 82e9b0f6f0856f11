// Codecs of the shape ops (symbolic shapes, reshape, join, split, alloc, arange).
#include "ops/shape_ops.hpp"
#include "serialize/codec_registry.hpp"

namespace theon::detail {

void register_codecs_shape() {
  add_plain_codec<MakeVector>("make_vector");
  add_plain_codec<ShapeOp>("shape");
  add_plain_codec<Alloc>("alloc");
  add_codec<ShapeI>(
      "shape_i", [](const ShapeI& op, Writer& w) { w.i64(op.axis()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<ShapeI>(r.int32()); });
  add_codec<Reshape>(
      "reshape", [](const Reshape& op, Writer& w) { w.i64(op.ndim()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<Reshape>(r.int32()); });
  add_codec<Join>(
      "join", [](const Join& op, Writer& w) { w.i64(op.axis()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<Join>(r.int32()); });
  add_codec<Split>(
      "split",
      [](const Split& op, Writer& w) {
        w.i64(op.axis());
        w.i64(op.n_splits());
      },
      [](Reader& r, std::span<const Var>) {
        const int axis = r.int32();
        return std::make_shared<Split>(axis, r.int32());
      });
  add_codec<ARange>(
      "arange", [](const ARange& op, Writer& w) { w.u8(static_cast<uint8_t>(op.dtype())); },
      [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
        const uint8_t d = r.u8();
        if (d > static_cast<uint8_t>(DType::Complex128)) r.fail("a dtype code is wrong");
        return std::make_shared<ARange>(static_cast<DType>(d));
      });
  add_codec<Rebroadcast>(
      "rebroadcast",
      [](const Rebroadcast& op, Writer& w) {
        w.i64(static_cast<int64_t>(op.flags().size()));
        for (const auto& [axis, flag] : op.flags()) {
          w.i64(axis);
          w.boolean(flag);
        }
      },
      [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
        const int64_t n = r.i64();
        if (n < 0 || n > kMaxDims) r.fail("a rebroadcast has " + std::to_string(n) + " flags");
        std::vector<std::pair<int, bool>> flags;
        for (int64_t i = 0; i < n; ++i) {
          const int axis = r.int32();
          flags.emplace_back(axis, r.boolean());
        }
        return std::make_shared<Rebroadcast>(std::move(flags));
      });
}


}  // namespace theon::detail
