#pragma once

// Declares `name` from a Result-returning expression, or returns that Result's failure from the
// enclosing function. Keeps the many validation steps of the loaders one line each.
#define MLBENCH_ASSIGN(name, expr)                    \
  auto name##_result = (expr);                        \
  if (!name##_result) return name##_result.failure(); \
  auto name = std::move(*name##_result)
