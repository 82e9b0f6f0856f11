// W9 (one training step of an LSTM through scan) from C++: bench/cpp/w9_lstm.cpp.
#pragma once

namespace bench {

// Prints W9's check values and its step time (`repeats` repeats of 3 * `scale` steps)
// as JSON lines.
void run_w9(int repeats, double scale);

}  // namespace bench
