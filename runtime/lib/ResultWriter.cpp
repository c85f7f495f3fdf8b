//===- ResultWriter.cpp - Sweep results as HDF5 ---------------------------===//
//
// Writes /params, /diverged_step, /data, /bold and the per-set analysis
// batch by batch, then /time, /bold_time and the run's metadata as
// attributes (docs/sweep.md, docs/analysis.md). The file is written under a
// temporary name and renamed only when complete. Under MPI every rank
// writes its own sets into the datasets all of them created (MPI-IO, one
// independent write per run of consecutive sets); rank 0 alone then reopens
// the closed file to write the metadata, whose variable-length strings
// parallel HDF5 cannot write.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/ResultWriter.h"
#include "rateml/runtime/Cohort.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Ranks.h"
#include "rateml/runtime/SweepOptions.h"
#include "rateml/runtime/Version.h"
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace rateml::runtime;

namespace {

/// SHA-256 of the connectome as used: N (uint64), then weights and lengths
/// as float64, little-endian, row-major.
std::string connectomeSha256(const Connectome &c) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  uint64_t n = c.numNodes;
  EVP_DigestUpdate(ctx, &n, sizeof n);
  EVP_DigestUpdate(ctx, c.weights.data(), c.weights.size() * sizeof(double));
  EVP_DigestUpdate(ctx, c.lengths.data(), c.lengths.size() * sizeof(double));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

/// Closes an HDF5 handle when it goes out of scope.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0)
      close(id);
  }
};

void check(herr_t status, const std::string &what) {
  if (status < 0)
    throw Error("HDF5: cannot write " + what);
}

/// Variable-length UTF-8, which h5py reads back as str; the caller closes
/// it.
hid_t stringType() {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

void stringAttribute(hid_t object, const char *name, const std::string &value) {
  Handle type{stringType(), H5Tclose};
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{
      H5Acreate2(object, name, type.id, space.id, H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose};
  const char *text = value.c_str();
  check(H5Awrite(attr.id, type.id, &text), name);
}

void stringListAttribute(hid_t object, const char *name,
                         const std::vector<std::string> &values) {
  std::vector<const char *> pointers;
  for (const std::string &v : values)
    pointers.push_back(v.c_str());
  Handle type{stringType(), H5Tclose};
  hsize_t dims[1] = {values.size()};
  Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  Handle attr{
      H5Acreate2(object, name, type.id, space.id, H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose};
  check(H5Awrite(attr.id, type.id, pointers.data()), name);
}

template <typename T>
void numberAttribute(hid_t object, const char *name, hid_t type, T value) {
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{
      H5Acreate2(object, name, type, space.id, H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose};
  check(H5Awrite(attr.id, type, &value), name);
}

void writeDataset(hid_t file, const char *name, hid_t type,
                  const std::vector<hsize_t> &dims, const void *data) {
  Handle space{H5Screate_simple(int(dims.size()), dims.data(), nullptr),
               H5Sclose};
  Handle set{H5Dcreate2(file, name, type, space.id, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose};
  if (set.id < 0)
    throw Error(std::string("HDF5: cannot create ") + name);
  check(H5Dwrite(set.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), name);
}

/// /bold_time and the attributes that say how /bold, /fc and /fcd_var
/// were computed, in the units the user gave (ms).
void writeBoldMetadata(hid_t file, const SweepResult::BoldPlan &plan,
                       const SweepResult &result, const SweepOptions &options) {
  const double trMs = double(plan.sampleEvery) * options.dt;
  std::vector<double> time;
  for (size_t k = 1; k <= plan.numSamples; ++k)
    time.push_back(double(k) * trMs);
  writeDataset(file, "/bold_time", H5T_NATIVE_DOUBLE, {plan.numSamples},
               time.data());
  Handle set{H5Dopen2(file, "/bold", H5P_DEFAULT), H5Dclose};
  stringAttribute(set.id, "driver", result.varNames[plan.var]);
  numberAttribute(set.id, "tr_ms", H5T_NATIVE_DOUBLE, trMs);
  numberAttribute(set.id, "bold_dt_ms", H5T_NATIVE_DOUBLE,
                  double(plan.integrateEvery) * options.dt);
  for (const std::string &name : BalloonWindkessel::names())
    numberAttribute(set.id, name.c_str(), H5T_NATIVE_DOUBLE,
                    plan.model.get(name));
  Handle fc{H5Dopen2(file, "/fc", H5P_DEFAULT), H5Dclose};
  numberAttribute(fc.id, "transient_ms", H5T_NATIVE_DOUBLE,
                  double(plan.analysis.firstSample) * trMs);
  if (plan.analysis.fcdWindow) {
    Handle fcd{H5Dopen2(file, "/fcd_var", H5P_DEFAULT), H5Dclose};
    numberAttribute(fcd.id, "window_ms", H5T_NATIVE_DOUBLE,
                    double(plan.analysis.fcdWindow) * trMs);
    numberAttribute(fcd.id, "step_ms", H5T_NATIVE_DOUBLE,
                    double(plan.analysis.fcdStep) * trMs);
    numberAttribute(fcd.id, "transient_ms", H5T_NATIVE_DOUBLE,
                    double(plan.analysis.firstSample) * trMs);
  }
}

/// A dimension scale `name` (a netCDF-4 dimension) holding 0 .. count - 1,
/// written in chunks so that a long one is never held whole.
void integerScale(hid_t file, const char *name, uint64_t count) {
  hsize_t dims[1] = {count};
  Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  Handle set{H5Dcreate2(file, name, H5T_NATIVE_INT64, space.id, H5P_DEFAULT,
                        H5P_DEFAULT, H5P_DEFAULT),
             H5Dclose};
  if (set.id < 0)
    throw Error(std::string("HDF5: cannot create ") + name);
  constexpr uint64_t chunk = uint64_t(1) << 20;
  std::vector<int64_t> values;
  for (uint64_t first = 0; first < count; first += chunk) {
    hsize_t start[1] = {first}, extent[1] = {std::min(chunk, count - first)};
    values.resize(extent[0]);
    for (uint64_t k = 0; k < extent[0]; ++k)
      values[k] = int64_t(first + k);
    Handle fileSpace{H5Dget_space(set.id), H5Sclose};
    H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, start, nullptr, extent,
                        nullptr);
    Handle memSpace{H5Screate_simple(1, extent, nullptr), H5Sclose};
    check(H5Dwrite(set.id, H5T_NATIVE_INT64, memSpace.id, fileSpace.id,
                   H5P_DEFAULT, values.data()),
          name);
  }
  check(H5DSset_scale(set.id, name), name);
}

/// A dimension scale `name` holding `names` (variable-length UTF-8).
void nameScale(hid_t file, const char *name,
               const std::vector<std::string> &names) {
  std::vector<const char *> pointers;
  for (const std::string &v : names)
    pointers.push_back(v.c_str());
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  hsize_t dims[1] = {names.size()};
  Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  Handle set{H5Dcreate2(file, name, type.id, space.id, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose};
  if (set.id < 0)
    throw Error(std::string("HDF5: cannot create ") + name);
  if (!names.empty())
    check(H5Dwrite(set.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                   pointers.data()),
          name);
  check(H5DSset_scale(set.id, name), name);
}

/// Names the dimensions of every dataset with HDF5 dimension scales, the
/// way netCDF-4 stores them, so that readers such as xarray (engine
/// h5netcdf) show named dimensions (docs/sweep.md): /set, /param,
/// /variable, /node and /node_j, and /time and /bold_time, which hold the
/// times.
void writeDimensionScales(hid_t file, const SweepResult &result) {
  integerScale(file, "set", result.params.size());
  nameScale(file, "param", result.params.names);
  nameScale(file, "variable", result.varNames);
  integerScale(file, "node", result.numNodes);
  if (result.bold)
    integerScale(file, "node_j", result.numNodes);
  auto exists = [&](const char *path) {
    return H5Lexists(file, path, H5P_DEFAULT) > 0;
  };
  for (const char *time : {"time", "bold_time"})
    if (exists(time)) {
      Handle set{H5Dopen2(file, time, H5P_DEFAULT), H5Dclose};
      check(H5DSset_scale(set.id, time), time);
    }
  const std::pair<const char *, std::vector<const char *>> layouts[] = {
      {"params", {"set", "param"}},
      {"diverged_step", {"set"}},
      {"data", {"set", "time", "variable", "node"}},
      {"bold", {"set", "bold_time", "node"}},
      {"fc", {"set", "node", "node_j"}},
      {"fcd_var", {"set"}},
      {"fit/fc_corr", {"set"}},
      {"fit/fcd_ks", {"set"}}};
  for (const auto &[path, dims] : layouts) {
    // H5Lexists fails (< 0) for fit/... when /fit does not exist.
    if (!exists(path))
      continue;
    Handle set{H5Dopen2(file, path, H5P_DEFAULT), H5Dclose};
    for (unsigned d = 0; d < dims.size(); ++d) {
      Handle scale{H5Dopen2(file, dims[d], H5P_DEFAULT), H5Dclose};
      check(H5DSattach_scale(set.id, scale.id, d), path);
    }
  }
}

} // namespace

void rateml::runtime::checkOutputPath(const std::string &path) {
  if (path.empty())
    throw Error("--output: the path is empty");
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw Error("--output: '" + path + "' exists and is not a file" +
                (S_ISDIR(st.st_mode) ? " (a directory)" : ""));
  // The results are written next to `path` and renamed onto it.
  std::string probe = path + ".XXXXXX";
  int fd = mkstemp(probe.data());
  if (fd < 0)
    throw Error("--output: cannot create a file next to '" + path +
                "': " + std::strerror(errno));
  close(fd);
  std::remove(probe.c_str());
}

ResultWriter::ResultWriter(const std::string &path, const ModelInfo &info,
                           const SweepResult &shape, const Ranks &ranks)
    : path(path), partial(path + ".partial"), ranks(ranks) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t access = ranks.fileAccess();
  file = H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access);
  if (access != H5P_DEFAULT)
    H5Pclose(access);
  if (file < 0)
    throw Error("cannot create output file '" + partial + "'");
  const size_t numSets = shape.params.size(), N = shape.numNodes;
  create(params, "/params", H5T_NATIVE_DOUBLE,
         {numSets, shape.params.names.size()});
  create(diverged, "/diverged_step", H5T_NATIVE_INT64, {numSets});
  if (shape.storeData)
    create(data, "/data",
           info.precision == "f64" ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT,
           {numSets, shape.numSamples, shape.varNames.size(), N});
  if (!shape.bold)
    return;
  create(bold, "/bold", H5T_NATIVE_DOUBLE,
         {numSets, shape.bold->numSamples, N});
  create(fc, "/fc", H5T_NATIVE_DOUBLE, {numSets, N, N});
  const AnalysisConfig &analysis = shape.bold->analysis;
  if (analysis.fcdWindow)
    create(fcdVar, "/fcd_var", H5T_NATIVE_DOUBLE, {numSets});
  if (!analysis.targetFcUpper.empty() || !analysis.targetFcdValues.empty()) {
    Handle group{
        H5Gcreate2(file, "/fit", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Gclose};
    if (group.id < 0)
      throw Error("HDF5: cannot create /fit in '" + partial + "'");
  }
  if (!analysis.targetFcUpper.empty())
    create(fcCorr, "/fit/fc_corr", H5T_NATIVE_DOUBLE, {numSets});
  if (analysis.fcdWindow && !analysis.targetFcdValues.empty())
    create(fcdKs, "/fit/fcd_ks", H5T_NATIVE_DOUBLE, {numSets});
}

ResultWriter::~ResultWriter() {
  if (file < 0)
    return;
  // Closing is collective under MPI, and a rank that failed is on its own:
  // it removes the file and leaves the handles to the abort that follows.
  if (ranks.size() == 1) {
    for (PerSet *set : perSet())
      if (set->id >= 0)
        H5Dclose(set->id);
    H5Fclose(file);
  }
  std::remove(partial.c_str());
}

void ResultWriter::create(PerSet &set, const char *name, long long type,
                          std::vector<unsigned long long> dims) {
  std::vector<hsize_t> hdims(dims.begin(), dims.end());
  Handle space{H5Screate_simple(int(hdims.size()), hdims.data(), nullptr),
               H5Sclose};
  // Every value is written, so HDF5 need not fill the dataset first (a
  // collective write of all of it under MPI).
  Handle create{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  H5Pset_fill_time(create.id, H5D_FILL_TIME_NEVER);
  set.id = H5Dcreate2(file, name, type, space.id, H5P_DEFAULT, create.id,
                      H5P_DEFAULT);
  if (set.id < 0)
    throw Error(std::string("HDF5: cannot create ") + name + " in '" + partial +
                "'");
  set.type = type;
  set.dims = std::move(dims);
}

void ResultWriter::write(PerSet &set, size_t first, size_t offset, size_t count,
                         const void *values) {
  if (set.id < 0 ||
      std::find(set.dims.begin(), set.dims.end(), 0) != set.dims.end())
    return;
  size_t rowBytes = H5Tget_size(set.type);
  for (size_t d = 1; d < set.dims.size(); ++d)
    rowBytes *= set.dims[d];
  std::vector<hsize_t> start(set.dims.size(), 0),
      extent(set.dims.begin(), set.dims.end());
  start[0] = first;
  extent[0] = count;
  Handle fileSpace{H5Dget_space(set.id), H5Sclose};
  check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, start.data(), nullptr,
                            extent.data(), nullptr),
        "a dataset");
  Handle memSpace{H5Screate_simple(int(extent.size()), extent.data(), nullptr),
                  H5Sclose};
  check(H5Dwrite(set.id, set.type, memSpace.id, fileSpace.id, H5P_DEFAULT,
                 static_cast<const char *>(values) + offset * rowBytes),
        "a dataset");
}

void ResultWriter::writeSets(const std::vector<size_t> &sets,
                             const BatchOutput &out) {
  const std::pair<PerSet *, const void *> outputs[] = {
      {&params, out.params.data()}, {&diverged, out.diverged.data()},
      {&data, out.data.data()},     {&bold, out.bold.data()},
      {&fc, out.fc.data()},         {&fcdVar, out.fcdVar.data()},
      {&fcCorr, out.fcCorr.data()}, {&fcdKs, out.fcdKs.data()}};
  // One write per run of consecutive sets (one run per batch but under
  // MPI, where a rank's share may be strided).
  for (size_t begin = 0, end; begin < sets.size(); begin = end) {
    for (end = begin + 1; end < sets.size() && sets[end] == sets[end - 1] + 1;)
      ++end;
    for (const auto &[set, values] : outputs)
      write(*set, sets[begin], begin, end - begin, values);
  }
}

void ResultWriter::finish(const ModelInfo &info, const Cohort &cohort,
                          const SweepOptions &options,
                          const SweepResult &result) {
  for (PerSet *set : perSet())
    if (set->id >= 0) {
      H5Dclose(set->id);
      set->id = -1;
    }
  herr_t closed = H5Fclose(file);
  file = -1;
  if (ranks.rank() != 0)
    return;
  if (closed >= 0)
    file = H5Fopen(partial.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) {
    std::remove(partial.c_str());
    throw Error("cannot write the results to '" + path + "'");
  }
  {
    Handle set{H5Dopen2(file, "/params", H5P_DEFAULT), H5Dclose};
    stringListAttribute(set.id, "names", result.params.names);
  }
  if (result.storeData) {
    // A window average is stamped with the time of its last step.
    std::vector<double> time;
    for (size_t k = 0; k < result.numSamples; ++k)
      time.push_back(double((k + (result.averaged ? 1 : 0)) * result.every) *
                     options.dt);
    writeDataset(file, "/time", H5T_NATIVE_DOUBLE, {result.numSamples},
                 time.data());
  }

  stringAttribute(file, "model", info.model);
  numberAttribute(file, "dt", H5T_NATIVE_DOUBLE, options.dt);
  numberAttribute(file, "steps", H5T_NATIVE_UINT64, result.steps);
  numberAttribute(file, "every", H5T_NATIVE_UINT64, result.every);
  stringAttribute(file, "integrator", options.heun ? "heun" : "euler");
  numberAttribute(file, "seed", H5T_NATIVE_UINT64, options.seed);
  numberAttribute(file, "noise", H5T_NATIVE_INT,
                  int(info.noiseSlot && options.noise));
  stringAttribute(file, "precision", info.precision);
  if (cohort.several()) {
    // A cohort's subjects in order, so that attribute k is subject k's.
    std::vector<std::string> sources, hashes;
    for (const Connectome &c : cohort.subjects) {
      sources.push_back(c.source);
      hashes.push_back(connectomeSha256(c));
    }
    stringListAttribute(file, "connectivity", sources);
    stringListAttribute(file, "connectivity_sha256", hashes);
  } else {
    stringAttribute(file, "connectivity", cohort.subjects[0].source);
    stringAttribute(file, "connectivity_sha256",
                    connectomeSha256(cohort.subjects[0]));
  }
  // Where the per-node values, maps and stimuli came from, as given.
  auto inputs = [&](const char *name, const auto &given) {
    std::vector<std::string> texts;
    for (const auto &[key, path] : given)
      texts.push_back(key + "=" + path);
    if (!texts.empty())
      stringListAttribute(file, name, texts);
  };
  inputs("node_values", options.nodeValues);
  inputs("maps", options.maps);
  inputs("stimulus", options.stimulus);
  stringListAttribute(file, "var_names", result.varNames);
  stringAttribute(file, "record",
                  options.recordStates ? "states" : "exposures");
  stringAttribute(file, "sampling", result.averaged ? "tavg" : "raw");
  numberAttribute(file, "ranks", H5T_NATIVE_UINT, ranks.size());
  if (ranks.size() == 1)
    stringAttribute(file, "backend", result.backend);
  else
    stringListAttribute(file, "backend", result.rankBackends);
  stringAttribute(file, "version", rateml_runtime_version());
  numberAttribute(file, "store_data", H5T_NATIVE_INT, int(result.storeData));
  if (result.bold)
    writeBoldMetadata(file, *result.bold, result, options);

  writeDimensionScales(file, result);
  closed = H5Fclose(file);
  file = -1;
  if (closed < 0 || std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw Error("cannot write the results to '" + path + "'");
  }
}
