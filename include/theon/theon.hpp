// Theon: a symbolic tensor compiler in the tradition of Theano. Include this header.
//
//   #include <theon/theon.hpp>
//   namespace T = theon::tensor;
//   auto a = T::dscalar("a"), b = T::dscalar("b");
//   auto f = theon::function({a, b}, a * b);
//   std::cout << f(1.5, 3) << "\n";   // 4.5
#pragma once

#include "theon/array.hpp"
#include "theon/blas.hpp"
#include "theon/bn.hpp"
#include "theon/cache.hpp"
#include "theon/clone.hpp"
#include "theon/config.hpp"
#include "theon/conv.hpp"
#include "theon/debug.hpp"
#include "theon/dtype.hpp"
#include "theon/error.hpp"
#include "theon/extra_ops.hpp"
#include "theon/fgraph.hpp"
#include "theon/function.hpp"
#include "theon/grad.hpp"
#include "theon/graph.hpp"
#include "theon/ifelse.hpp"
#include "theon/nnet.hpp"
#include "theon/pool.hpp"
#include "theon/debugprint_order.hpp"
#include "theon/print.hpp"
#include "theon/profile.hpp"
#include "theon/random.hpp"
#include "theon/reduce.hpp"
#include "theon/scan.hpp"
#include "theon/serialize.hpp"
#include "theon/shape_ops.hpp"
#include "theon/shared.hpp"
#include "theon/side_effect.hpp"
#include "theon/subtensor.hpp"
#include "theon/tensor.hpp"
#include "theon/test_value.hpp"
#include "theon/type.hpp"
#include "theon/verify_grad.hpp"
