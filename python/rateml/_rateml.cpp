//===- _rateml.cpp - The Python binding of a model's library --------------===//
//
// Loads a model's library (rateml-compile --emit=library) and runs sweep.bin's
// own command in it with the arguments the package builds from keyword
// arguments (SweepCommand.h), on a thread of its own: the GIL is released
// while it runs, progress is reported to a Python callback, and Ctrl-C asks
// the sweep to stop (the partial file is removed) and raises
// KeyboardInterrupt. Its errors become ValueError or FileNotFoundError with
// the message sweep.bin prints.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/SweepCommand.h"
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <dlfcn.h>
#include <string>
#include <thread>
#include <vector>

namespace py = pybind11;

namespace {

class Library {
public:
  explicit Library(const std::string &path) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      throw std::runtime_error("cannot load '" + path + "': " + dlerror());
    run = reinterpret_cast<decltype(run)>(dlsym(handle, "rateml_sweep_run"));
    options = reinterpret_cast<decltype(options)>(
        dlsym(handle, "rateml_sweep_options_json"));
    model = static_cast<const char *>(dlsym(handle, "rateml_model_json"));
    if (!run || !options || !model)
      throw std::runtime_error("'" + path +
                               "' is not a model library of this rateml "
                               "(rateml-compile --emit=library)");
  }
  Library(const Library &) = delete;
  Library &operator=(const Library &) = delete;
  // The library stays loaded: threads it started may still be unwinding,
  // and Python keeps few models per process.

  std::string modelJson() const { return model; }
  std::string optionsJson() const { return options(); }

  /// sweep.bin with `args` (without the program name); calls
  /// progress(done, total) about ten times a second while it runs.
  void sweep(const std::vector<std::string> &args, py::object progress) {
    std::vector<const char *> argv = {"sweep.bin"};
    for (const std::string &a : args)
      argv.push_back(a.c_str());
    RatemlSweepCall call;
    int status = 0;
    std::atomic<bool> finished{false};
    std::thread worker([&] {
      status = run(int(argv.size()), argv.data(), &call);
      finished = true;
    });
    bool interrupted = false;
    while (true) {
      {
        py::gil_scoped_release release;
        for (int k = 0; k < 10 && !finished; ++k)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (finished)
        break;
      // Runs Python's signal handlers: Ctrl-C raises KeyboardInterrupt.
      if (PyErr_CheckSignals() != 0) {
        interrupted = true;
        call.control.stop = true;
        break;
      }
      if (!progress.is_none())
        progress(call.control.done.load(), call.total.load());
    }
    {
      py::gil_scoped_release release;
      worker.join();
    }
    if (interrupted)
      throw py::error_already_set();
    if (!progress.is_none() && status == 0)
      progress(call.total.load(), call.total.load());
    switch (call.errorKind) {
    case RatemlSweepCall::kNone:
      return;
    case RatemlSweepCall::kMissingFile:
      PyErr_SetString(PyExc_FileNotFoundError, call.error.c_str());
      throw py::error_already_set();
    case RatemlSweepCall::kInterrupted:
    case RatemlSweepCall::kBadInput:
    case RatemlSweepCall::kRankFailed: // only sweep.bin runs in ranks
      throw py::value_error(call.error);
    }
  }

private:
  void *handle = nullptr;
  int (*run)(int, const char *const *, RatemlSweepCall *) = nullptr;
  const char *(*options)() = nullptr;
  const char *model = nullptr;
};

} // namespace

PYBIND11_MODULE(_rateml, m) {
  m.doc() = "The engine of a compiled rateml model (see rateml.compile).";
  py::class_<Library>(m, "Library")
      .def(py::init<const std::string &>(), py::arg("path"))
      .def("model_json", &Library::modelJson)
      .def("options_json", &Library::optionsJson)
      .def("sweep", &Library::sweep, py::arg("args"),
           py::arg("progress") = py::none());
}
