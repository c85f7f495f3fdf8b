//===- Output.cpp - Sweep results as HDF5 ---------------------------------===//
//
// Writes /data batch by batch, then /params, /time and the run's metadata
// as attributes (docs/sweep.md). The file is written under a temporary name
// and renamed only when complete.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Error.h"
#include "rateml/runtime/Sweep.h"
#include "rateml/runtime/Version.h"
#include <hdf5.h>
#include <openssl/evp.h>
#include <cstdio>
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

void stringAttribute(hid_t object, const char *name, const std::string &value) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, std::max<size_t>(value.size(), 1));
  H5Tset_strpad(type.id, H5T_STR_NULLTERM);
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{H5Acreate2(object, name, type.id, space.id, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Aclose};
  check(H5Awrite(attr.id, type.id, value.c_str()), name);
}

void stringListAttribute(hid_t object, const char *name,
                         const std::vector<std::string> &values) {
  std::vector<const char *> pointers;
  for (const std::string &v : values)
    pointers.push_back(v.c_str());
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  hsize_t dims[1] = {values.size()};
  Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  Handle attr{H5Acreate2(object, name, type.id, space.id, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Aclose};
  check(H5Awrite(attr.id, type.id, pointers.data()), name);
}

template <typename T>
void numberAttribute(hid_t object, const char *name, hid_t type, T value) {
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{H5Acreate2(object, name, type, space.id, H5P_DEFAULT,
                         H5P_DEFAULT),
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

} // namespace

ResultWriter::ResultWriter(const std::string &path, const ModelInfo &info,
                           const SweepResult &shape)
    : path(path), partial(path + ".partial") {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  file = H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0)
    throw Error("cannot create output file '" + partial + "'");
  elementType = info.precision == "f64" ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
  size_t numSets = shape.params.rows.size();
  dims = {numSets, shape.numSamples, shape.varNames.size(), shape.numNodes};
  std::vector<hsize_t> hdims(dims.begin(), dims.end());
  Handle space{H5Screate_simple(4, hdims.data(), nullptr), H5Sclose};
  dataset = H5Dcreate2(file, "/data", elementType, space.id, H5P_DEFAULT,
                       H5P_DEFAULT, H5P_DEFAULT);
  if (dataset < 0)
    throw Error("HDF5: cannot create /data in '" + partial + "'");
}

ResultWriter::~ResultWriter() {
  if (dataset >= 0)
    H5Dclose(dataset);
  if (file >= 0) {
    H5Fclose(file);
    std::remove(partial.c_str());
  }
}

void ResultWriter::writeSets(size_t first, size_t count, const void *data) {
  hsize_t start[4] = {first, 0, 0, 0};
  hsize_t extent[4] = {count, dims[1], dims[2], dims[3]};
  Handle fileSpace{H5Dget_space(dataset), H5Sclose};
  check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, start, nullptr,
                            extent, nullptr),
        "/data");
  Handle memSpace{H5Screate_simple(4, extent, nullptr), H5Sclose};
  check(H5Dwrite(dataset, elementType, memSpace.id, fileSpace.id, H5P_DEFAULT,
                 data),
        "/data");
}

void ResultWriter::finish(const ModelInfo &info, const Connectome &connectome,
                          const SweepOptions &options,
                          const SweepResult &result) {
  size_t numSets = result.params.rows.size();
  std::vector<double> params;
  for (const auto &row : result.params.rows)
    params.insert(params.end(), row.begin(), row.end());
  writeDataset(file, "/params", H5T_NATIVE_DOUBLE,
          {numSets, result.params.names.size()}, params.data());
  {
    Handle set{H5Dopen2(file, "/params", H5P_DEFAULT), H5Dclose};
    stringListAttribute(set.id, "names", result.params.names);
  }
  // A window average is stamped with the time of its last step.
  std::vector<double> time;
  for (size_t k = 0; k < result.numSamples; ++k)
    time.push_back(double((k + (result.averaged ? 1 : 0)) * result.every) *
                   options.dt);
  writeDataset(file, "/time", H5T_NATIVE_DOUBLE, {result.numSamples}, time.data());

  stringAttribute(file, "model", info.model);
  numberAttribute(file, "dt", H5T_NATIVE_DOUBLE, options.dt);
  numberAttribute(file, "steps", H5T_NATIVE_UINT64, result.steps);
  numberAttribute(file, "every", H5T_NATIVE_UINT64, result.every);
  stringAttribute(file, "integrator", options.heun ? "heun" : "euler");
  numberAttribute(file, "seed", H5T_NATIVE_UINT64, options.seed);
  numberAttribute(file, "noise", H5T_NATIVE_INT,
                  int(info.noiseSlot && options.noise));
  stringAttribute(file, "precision", info.precision);
  stringAttribute(file, "connectivity", connectome.source);
  stringAttribute(file, "connectivity_sha256", connectomeSha256(connectome));
  stringListAttribute(file, "var_names", result.varNames);
  stringAttribute(file, "record",
                  options.recordStates ? "states" : "exposures");
  stringAttribute(file, "sampling", result.averaged ? "tavg" : "raw");
  stringAttribute(file, "backend", result.backend);
  stringAttribute(file, "version", rateml_runtime_version());

  H5Dclose(dataset);
  dataset = -1;
  herr_t closed = H5Fclose(file);
  file = -1;
  if (closed < 0 || std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw Error("cannot write the results to '" + path + "'");
  }
}
