#pragma once
// How each implementation's source file joins the one program: at static initialisation it
// registers its setup (thread settings), its correctness checks and its benchmarks. main()
// runs every setup, then every check (any mismatch aborts the program before timing), then the
// benchmarks, and prints one table. A library that CMake did not find has no source file
// compiled, so its rows are simply absent.

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <functional>
#include <string>

namespace peers {

void add_setup(std::function<void()> setup);
void add_check(const std::string& name, std::function<void()> check);
// Registers "<workload>/<implementation>" in milliseconds. iterations > 0 fixes the iteration
// count (for runs of a second or more: fits, scalar LibTorch loops).
benchmark::internal::Benchmark* add_benchmark(const std::string& workload, const std::string& implementation,
                                              std::function<void(benchmark::State&)> body, int iterations = 0);

// Relative difference ||got - want|| / ||want|| (Frobenius); prints one line and aborts the
// program with a clear message when it exceeds tol.
void expect_close(const std::string& what, const Eigen::MatrixXd& got, const Eigen::MatrixXd& want,
                  double tol = 1e-8);
void expect_close(const std::string& what, double got, double want, double tol = 1e-8);

// Called by main().
void run_setups();
void run_checks();

}  // namespace peers
