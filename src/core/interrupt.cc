#include "mlbench/core/interrupt.h"

#include <signal.h>

namespace mlbench {
namespace {

sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

InterruptWatcher::InterruptWatcher() {
  const sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // pthread_create rather than std::thread: the destructor must be able to wake sigwait by
  // sending the thread a signal, which needs its pthread_t.
  auto body = [](void* raw) -> void* {
    auto* self = static_cast<InterruptWatcher*>(raw);
    const sigset_t signals = interrupt_signals();
    while (true) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) continue;
      if (self->shutting_down_.load()) return nullptr;
      self->signal_ = received;
      if (self->interrupted_.exchange(true)) self->repeated_ = true;
    }
  };
  started_ = pthread_create(&thread_, nullptr, body, this) == 0;
}

InterruptWatcher::~InterruptWatcher() {
  if (started_) {
    shutting_down_ = true;
    pthread_kill(thread_, SIGTERM);  // blocked everywhere, so it only wakes sigwait
    pthread_join(thread_, nullptr);
  }
  const sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace mlbench
