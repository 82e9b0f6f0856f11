// W10 (one epoch of the classic minibatch loop) from C++: bench/cpp/w10_epoch.cpp.
#pragma once

namespace bench {

// Prints W10's check values and its epoch time (`repeats` epochs of 2 500 * `scale`
// calls each, reported per 2 500 calls) as JSON lines.
void run_w10(int repeats, double scale);

}  // namespace bench
