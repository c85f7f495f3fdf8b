//===- Connectome.cpp - Structural connectivity ---------------------------===//
//
// Loading TVB connectivities with libzip and libbz2, and the built-in
// connectome. Every failure is an Error naming the file and the problem.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Connectome.h"
#include "rateml/runtime/Error.h"
#include <bzlib.h>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <zip.h>

namespace fs = std::filesystem;
using namespace rateml::runtime;

namespace {

/// Members (after decompression) larger than this are refused as they
/// stream in, before they are held whole: a guard against zip and bzip2
/// bombs. TVB's largest connectome (998 nodes) has 25 MB text matrices;
/// this allows about 3000 nodes.
constexpr size_t kMaxMemberBytes = size_t(256) << 20;
constexpr size_t kMaxBuiltinNodes = 10000;

/// Appends `n` bytes of member `what` to `out`, or throws when the member
/// would grow past kMaxMemberBytes.
void appendBounded(std::string &out, const char *bytes, size_t n,
                   const std::string &what) {
  if (n > kMaxMemberBytes - out.size())
    throw Error(what + ": larger than the limit of " +
                std::to_string(kMaxMemberBytes >> 20) + " MiB");
  out.append(bytes, n);
}

std::string bunzip2(const std::string &compressed, const std::string &what) {
  bz_stream stream;
  std::memset(&stream, 0, sizeof stream);
  if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK)
    throw Error(what + ": cannot initialise bzip2");
  std::string out;
  std::vector<char> chunk(1 << 16);
  stream.next_in = const_cast<char *>(compressed.data());
  stream.avail_in = static_cast<unsigned>(compressed.size());
  int rc = BZ_OK;
  try {
    while (rc == BZ_OK) {
      stream.next_out = chunk.data();
      stream.avail_out = static_cast<unsigned>(chunk.size());
      rc = BZ2_bzDecompress(&stream);
      appendBounded(out, chunk.data(), chunk.size() - stream.avail_out, what);
      if (rc == BZ_OK && stream.avail_in == 0 && stream.avail_out != 0)
        throw Error(what + ": truncated bzip2 data");
    }
  } catch (...) {
    BZ2_bzDecompressEnd(&stream);
    throw;
  }
  BZ2_bzDecompressEnd(&stream);
  if (rc != BZ_STREAM_END)
    throw Error(what + ": corrupt bzip2 data");
  return out;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string baseName(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// A source of named text members: a zip or a folder.
using MemberReader =
    std::function<std::optional<std::string>(const std::string &name)>;

std::string readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot read '" + path.string() + "': " + std::strerror(errno));
  std::string data;
  std::vector<char> chunk(1 << 16);
  while (in.read(chunk.data(), std::streamsize(chunk.size())) ||
         in.gcount() > 0)
    appendBounded(data, chunk.data(), size_t(in.gcount()), path.string());
  if (in.bad())
    throw Error("cannot read '" + path.string() + "'");
  return data;
}

/// Looks up `name` or `name.bz2` through `read`.
std::optional<std::string> readMember(const MemberReader &read,
                                      const std::string &name,
                                      const std::string &container) {
  if (auto text = read(name))
    return text;
  if (auto compressed = read(name + ".bz2"))
    return bunzip2(*compressed, container + ": " + name + ".bz2");
  return std::nullopt;
}

class Zip {
public:
  explicit Zip(const std::string &path) : path(path) {
    int err = 0;
    archive = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!archive) {
      zip_error_t error;
      zip_error_init_with_code(&error, err);
      std::string message = zip_error_strerror(&error);
      zip_error_fini(&error);
      throw Error("cannot open connectivity zip '" + path + "': " + message);
    }
  }
  ~Zip() { zip_discard(archive); }

  /// The member whose base name is `name` (TVB zips may use a subfolder).
  std::optional<std::string> read(const std::string &name) {
    zip_int64_t count = zip_get_num_entries(archive, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
      const char *entry = zip_get_name(archive, i, 0);
      if (!entry || baseName(entry) != name)
        continue;
      const std::string what = path + ": member '" + entry + "'";
      zip_file_t *file = zip_fopen_index(archive, i, 0);
      if (!file)
        throw Error(path + ": cannot open member '" + entry + "'");
      // In chunks: the size the archive declares may be a lie.
      std::string data;
      std::vector<char> chunk(1 << 16);
      zip_int64_t got;
      try {
        while ((got = zip_fread(file, chunk.data(), chunk.size())) > 0)
          appendBounded(data, chunk.data(), size_t(got), what);
      } catch (...) {
        zip_fclose(file);
        throw;
      }
      zip_fclose(file);
      if (got < 0)
        throw Error(path + ": cannot read member '" + entry + "'");
      return data;
    }
    return std::nullopt;
  }

private:
  std::string path;
  zip_t *archive;
};

std::vector<std::string> parseLabels(const std::string &text, size_t n,
                                     const std::string &what) {
  std::vector<std::string> labels;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string label;
    if (fields >> label)
      labels.push_back(label);
  }
  if (labels.size() != n)
    throw Error(what + ": " + std::to_string(labels.size()) +
                " regions, but the weights have " + std::to_string(n));
  return labels;
}

Connectome assemble(const MemberReader &read, const std::string &container) {
  auto weightsText = readMember(read, "weights.txt", container);
  auto lengthsText = readMember(read, "tract_lengths.txt", container);
  if (!weightsText)
    throw Error(container + ": no weights.txt (or weights.txt.bz2)");
  if (!lengthsText)
    throw Error(container +
                ": no tract_lengths.txt (or tract_lengths.txt.bz2)");
  Connectome c;
  c.source = container;
  size_t nLengths = 0;
  c.weights =
      parseMatrix(*weightsText, c.numNodes, container + ": weights.txt");
  c.lengths =
      parseMatrix(*lengthsText, nLengths, container + ": tract_lengths.txt");
  if (nLengths != c.numNodes)
    throw Error(container + ": tract_lengths.txt is " +
                std::to_string(nLengths) + " x " + std::to_string(nLengths) +
                " but weights.txt is " + std::to_string(c.numNodes) + " x " +
                std::to_string(c.numNodes));
  for (double length : c.lengths)
    if (length < 0)
      throw Error(container + ": tract_lengths.txt has a negative length");
  if (auto centres = readMember(read, "centres.txt", container)) {
    c.labels = parseLabels(*centres, c.numNodes, container + ": centres.txt");
  } else {
    for (size_t i = 0; i < c.numNodes; ++i)
      c.labels.push_back("region" + std::to_string(i));
  }
  return c;
}

} // namespace

std::vector<double> rateml::runtime::parseMatrix(const std::string &text,
                                                 size_t &n,
                                                 const std::string &what) {
  std::vector<double> values;
  std::istringstream lines(text);
  std::string line;
  size_t rows = 0, lineNo = 0, width = 0;
  while (std::getline(lines, line)) {
    ++lineNo;
    const char *p = line.c_str();
    size_t count = 0;
    while (true) {
      while (*p == ' ' || *p == '\t' || *p == '\r')
        ++p;
      if (!*p)
        break;
      char *end = nullptr;
      double v = std::strtod(p, &end);
      if (end == p || !std::isfinite(v))
        throw Error(what + ":" + std::to_string(lineNo) +
                    ": not a finite number: '" +
                    std::string(p, std::strcspn(p, " \t\r")) + "'");
      values.push_back(v);
      ++count;
      p = end;
    }
    if (count == 0)
      continue;
    if (rows == 0)
      width = count;
    else if (count != width)
      throw Error(what + ":" + std::to_string(lineNo) + ": " +
                  std::to_string(count) + " values, expected " +
                  std::to_string(width));
    ++rows;
  }
  if (rows == 0)
    throw Error(what + ": no data");
  if (rows != width)
    throw Error(what + ": " + std::to_string(rows) + " x " +
                std::to_string(width) + " is not square");
  n = rows;
  return values;
}

Connectome rateml::runtime::makeBuiltinConnectome(size_t n) {
  if (n < 1 || n > kMaxBuiltinNodes)
    throw Error("builtin connectome size must be 1 to " +
                std::to_string(kMaxBuiltinNodes) + ", got " +
                std::to_string(n));
  constexpr double radius = 60.0, cutoff = 60.0, decay = 30.0;
  const double golden = M_PI * (3.0 - std::sqrt(5.0));
  std::vector<double> x(n), y(n), z(n);
  for (size_t k = 0; k < n; ++k) {
    double h = 1.0 - 2.0 * (k + 0.5) / n;
    double r = std::sqrt(1.0 - h * h);
    x[k] = radius * r * std::cos(golden * k);
    y[k] = radius * h;
    z[k] = radius * r * std::sin(golden * k);
  }
  Connectome c;
  c.numNodes = n;
  c.source = "builtin:" + std::to_string(n);
  c.weights.assign(n * n, 0.0);
  c.lengths.assign(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    c.labels.push_back("node" + std::to_string(i));
    for (size_t j = 0; j < n; ++j) {
      double d = std::sqrt((x[i] - x[j]) * (x[i] - x[j]) +
                           (y[i] - y[j]) * (y[i] - y[j]) +
                           (z[i] - z[j]) * (z[i] - z[j]));
      c.lengths[i * n + j] = d;
      if (i != j && d <= cutoff)
        c.weights[i * n + j] = std::exp(-d / decay);
    }
  }
  return c;
}

Connectome rateml::runtime::loadConnectome(const std::string &spec) {
  if (spec == "builtin")
    return makeBuiltinConnectome(68);
  if (spec.rfind("builtin:", 0) == 0) {
    std::string count = spec.substr(8);
    char *end = nullptr;
    errno = 0;
    unsigned long n = std::strtoul(count.c_str(), &end, 10);
    if (count.empty() || *end || errno || count[0] == '-')
      throw Error("malformed connectivity '" + spec +
                  "': expected builtin:N with N a node count");
    return makeBuiltinConnectome(n);
  }
  std::error_code ec;
  fs::path path(spec);
  if (fs::is_directory(path, ec)) {
    return assemble(
        [&](const std::string &name) -> std::optional<std::string> {
          fs::path file = path / name;
          if (!fs::is_regular_file(file, ec))
            return std::nullopt;
          return readFile(file);
        },
        spec);
  }
  if (!fs::exists(path, ec))
    throw MissingFile("connectivity '" + spec + "' does not exist");
  Zip zip(spec);
  return assemble([&](const std::string &name) { return zip.read(name); },
                  spec);
}
