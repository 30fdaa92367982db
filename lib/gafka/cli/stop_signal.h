#pragma once
// A stop request by SIGTERM or SIGINT, as a file descriptor that a poll()
// loop waits on next to its input (the self-pipe trick), so a program can
// treat the signal like end of input: stop reading, finish what it holds,
// exit with its usual status.
//
// The handlers are one-shot (SA_RESETHAND): the first SIGTERM or SIGINT asks
// for a clean stop, a second of the same signal ends the program the default
// way, for someone who will not wait for the last requests. A signal that
// was ignored when the program started (as a shell ignores SIGINT for a
// command it runs in the background) stays ignored, as coreutils do.
//
// Process-wide state: call it from main()'s thread; the descriptor stays
// open for the life of the process and is never closed by the program.
namespace gafka::cli {

// Installs the handlers on the first call and returns the read end of the
// pipe, which becomes readable once a signal came (and stays readable); -1
// if the pipe could not be made (then the signals keep their defaults).
int stop_signal_fd();

}  // namespace gafka::cli
