//===- XMLDocument.h - libxml2 document with source positions -*- C++ -*-===//
//
// Parses an XML buffer with libxml2 under a safe configuration (no network,
// no external or internal entity declarations, bounded size) and recovers
// what libxml2 does not keep: the exact byte offset of every element and of
// every character of an attribute value, so that diagnostics can point at a
// column inside an expression.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_LIB_FRONTEND_LEMS_XMLDOCUMENT_H
#define RATEML_LIB_FRONTEND_LEMS_XMLDOCUMENT_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include <libxml/tree.h>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::rateml::lems {

/// A 1-based line and column (in bytes).
struct SourcePos {
  unsigned line;
  unsigned col;
};

/// An attribute as written in the source.
struct XMLAttribute {
  std::string name;
  /// The value after entity decoding and whitespace normalisation.
  std::string value;
  /// Byte offset in the source of each character of `value`, plus one
  /// trailing entry for the closing quote.
  std::vector<size_t> sourceOffsets;
};

/// The first problem that stopped parsing.
struct XMLError {
  SourcePos pos;
  std::string message;
};

class XMLDocument {
public:
  /// Parses `buffer`, or returns null and fills `error`.
  static std::unique_ptr<XMLDocument> parse(llvm::StringRef buffer,
                                            XMLError &error);
  ~XMLDocument();

  xmlNode *getRoot() const;

  /// Line and column of a byte offset.
  SourcePos getPos(size_t offset) const;

  /// Byte offset of the element's '<'.
  size_t getOffset(xmlNode *element) const;

  /// The element's attributes in source order.
  std::vector<XMLAttribute> getAttributes(xmlNode *element) const;

  /// The named attribute, or std::nullopt.
  std::optional<XMLAttribute> getAttribute(xmlNode *element,
                                           llvm::StringRef name) const;

  /// The element children of `node`, in order.
  static std::vector<xmlNode *> getChildElements(xmlNode *node);

  /// The element name as a StringRef.
  static llvm::StringRef getName(xmlNode *element);

private:
  XMLDocument(llvm::StringRef buffer, xmlDoc *doc);

  llvm::StringRef buffer;
  xmlDoc *doc;
  std::vector<size_t> lineStarts;
  llvm::DenseMap<xmlNode *, size_t> elementOffsets;
};

} // namespace mlir::rateml::lems

#endif // RATEML_LIB_FRONTEND_LEMS_XMLDOCUMENT_H
