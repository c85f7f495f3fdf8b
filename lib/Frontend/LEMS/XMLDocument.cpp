//===- XMLDocument.cpp - libxml2 document with source positions -*- C++ -*-===//
//
// libxml2 keeps only a line per element (and not reliably the first line of
// the tag), so element and attribute positions are recovered by scanning the
// buffer, which libxml2 has already checked to be well-formed.
//
//===----------------------------------------------------------------------===//

#include "XMLDocument.h"
#include <algorithm>
#include <cctype>
#include <climits>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

using namespace mlir::rateml::lems;
using llvm::StringRef;

namespace {

/// Inputs larger than this are refused before parsing.
constexpr size_t kMaxInputBytes = 64u << 20;

struct ParseState {
  std::optional<XMLError> error;
};

ParseState &stateOf(void *ctx) {
  auto *ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  return *static_cast<ParseState *>(ctxt->_private);
}

void onStructuredError(void *ctx, xmlErrorPtr err) {
  if (!err || err->level < XML_ERR_ERROR)
    return;
  ParseState &state = stateOf(ctx);
  if (state.error)
    return;
  std::string message = err->message ? err->message : "malformed XML";
  while (!message.empty() && std::isspace((unsigned char)message.back()))
    message.pop_back();
  state.error = XMLError{{static_cast<unsigned>(std::max(err->line, 1)),
                          static_cast<unsigned>(std::max(err->int2, 1))},
                         "malformed XML: " + message};
}

/// Entity declarations are refused outright: RateML files have none, and
/// refusing them bounds entity expansion and rules out external entities.
void onEntityDecl(void *ctx, const xmlChar *name, int, const xmlChar *,
                  const xmlChar *, xmlChar *) {
  ParseState &state = stateOf(ctx);
  if (!state.error)
    state.error = XMLError{
        {static_cast<unsigned>(xmlSAX2GetLineNumber(ctx)),
         static_cast<unsigned>(std::max(xmlSAX2GetColumnNumber(ctx), 1))},
        std::string("entity declarations are not allowed (entity '") +
            reinterpret_cast<const char *>(name) + "')"};
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

xmlParserInputPtr refuseExternalEntity(const char *, const char *,
                                       xmlParserCtxtPtr) {
  return nullptr;
}

/// The offsets of all start tags in document order. Text cannot contain a
/// raw '<' and entity declarations are refused, so this sequence matches a
/// pre-order walk of the parsed elements one to one.
std::vector<size_t> scanStartTags(StringRef buffer) {
  std::vector<size_t> tags;
  size_t pos = 0;
  auto skipPast = [&](StringRef terminator) {
    size_t end = buffer.find(terminator, pos);
    pos = end == StringRef::npos ? buffer.size() : end + terminator.size();
  };
  while ((pos = buffer.find('<', pos)) != StringRef::npos) {
    StringRef rest = buffer.substr(pos);
    if (rest.starts_with("<!--")) {
      skipPast("-->");
    } else if (rest.starts_with("<![CDATA[")) {
      skipPast("]]>");
    } else if (rest.starts_with("<?")) {
      skipPast("?>");
    } else if (rest.starts_with("<!")) {
      size_t subset = buffer.find('[', pos), close = buffer.find('>', pos);
      if (subset < close) {
        pos = subset;
        skipPast("]");
      }
      skipPast(">");
    } else if (rest.starts_with("</")) {
      skipPast(">");
    } else {
      tags.push_back(pos);
      char quote = 0;
      for (++pos; pos < buffer.size(); ++pos) {
        char c = buffer[pos];
        if (quote) {
          if (c == quote)
            quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '>') {
          break;
        }
      }
    }
  }
  return tags;
}

} // namespace

XMLDocument::XMLDocument(StringRef buffer, xmlDoc *doc)
    : buffer(buffer), doc(doc) {
  lineStarts.push_back(0);
  for (size_t i = 0; i < buffer.size(); ++i)
    if (buffer[i] == '\n')
      lineStarts.push_back(i + 1);
}

XMLDocument::~XMLDocument() { xmlFreeDoc(doc); }

std::unique_ptr<XMLDocument> XMLDocument::parse(StringRef buffer,
                                                XMLError &error) {
  if (buffer.trim().empty()) {
    error = {{1, 1}, "the file is empty"};
    return nullptr;
  }
  if (buffer.size() > kMaxInputBytes) {
    error = {{1, 1}, "input is larger than 64 MiB"};
    return nullptr;
  }
  xmlSetExternalEntityLoader(refuseExternalEntity);
  xmlParserCtxtPtr ctxt =
      xmlCreateMemoryParserCtxt(buffer.data(), static_cast<int>(buffer.size()));
  if (!ctxt) {
    error = {{1, 1}, "cannot create an XML parser"};
    return nullptr;
  }
  ParseState state;
  ctxt->_private = &state;
  xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
  ctxt->sax->serror = onStructuredError;
  ctxt->sax->entityDecl = onEntityDecl;

  xmlParseDocument(ctxt);
  xmlDoc *doc = ctxt->myDoc;
  ctxt->myDoc = nullptr;
  if (!state.error && (!ctxt->wellFormed || !doc))
    state.error = XMLError{{1, 1}, "malformed XML"};
  if (!state.error && !xmlDocGetRootElement(doc))
    state.error = XMLError{{1, 1}, "the document has no root element"};
  if (state.error) {
    error = *state.error;
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return nullptr;
  }

  xmlFreeParserCtxt(ctxt);

  std::unique_ptr<XMLDocument> result(new XMLDocument(buffer, doc));
  std::vector<size_t> tags = scanStartTags(buffer);
  size_t next = 0;
  std::vector<xmlNode *> pending = {xmlDocGetRootElement(doc)};
  while (!pending.empty()) {
    xmlNode *node = pending.back();
    pending.pop_back();
    result->elementOffsets[node] =
        next < tags.size() ? tags[next++] : buffer.size();
    std::vector<xmlNode *> children = getChildElements(node);
    pending.insert(pending.end(), children.rbegin(), children.rend());
  }
  return result;
}

xmlNode *XMLDocument::getRoot() const { return xmlDocGetRootElement(doc); }

SourcePos XMLDocument::getPos(size_t offset) const {
  auto it = std::upper_bound(lineStarts.begin(), lineStarts.end(), offset);
  size_t line = it - lineStarts.begin();
  return {static_cast<unsigned>(line),
          static_cast<unsigned>(offset - lineStarts[line - 1] + 1)};
}

size_t XMLDocument::getOffset(xmlNode *element) const {
  return elementOffsets.lookup(element);
}

StringRef XMLDocument::getName(xmlNode *element) {
  return reinterpret_cast<const char *>(element->name);
}

std::vector<xmlNode *> XMLDocument::getChildElements(xmlNode *node) {
  std::vector<xmlNode *> children;
  for (xmlNode *child = node->children; child; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      children.push_back(child);
  return children;
}

/// Appends the UTF-8 encoding of `cp` to `out`.
static void appendUTF8(unsigned long cp, std::string &out) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

/// Decodes the raw attribute text at [begin, end) as XML does: references
/// become characters and whitespace becomes a space.
static void decodeAttributeValue(StringRef buffer, size_t begin, size_t end,
                                 XMLAttribute &attr) {
  auto push = [&](const std::string &chars, size_t from) {
    for (char c : chars) {
      attr.value += c;
      attr.sourceOffsets.push_back(from);
    }
  };
  for (size_t i = begin; i < end;) {
    char c = buffer[i];
    if (c == '&') {
      size_t semi = buffer.find(';', i);
      StringRef ref = buffer.slice(i + 1, std::min(semi, end));
      std::string decoded;
      if (ref == "lt")
        decoded = "<";
      else if (ref == "gt")
        decoded = ">";
      else if (ref == "amp")
        decoded = "&";
      else if (ref == "quot")
        decoded = "\"";
      else if (ref == "apos")
        decoded = "'";
      else if (ref.consume_front("#")) {
        unsigned long cp = 0;
        bool hex = ref.consume_front("x");
        if (!ref.getAsInteger(hex ? 16 : 10, cp))
          appendUTF8(cp, decoded);
      }
      push(decoded, i);
      i = std::min(semi, end) + 1;
      continue;
    }
    if (c == '\r' && i + 1 < end && buffer[i + 1] == '\n') {
      push(" ", i);
      i += 2;
      continue;
    }
    push(std::string(1, (c == '\n' || c == '\r' || c == '\t') ? ' ' : c), i);
    ++i;
  }
  attr.sourceOffsets.push_back(end);
}

std::vector<XMLAttribute> XMLDocument::getAttributes(xmlNode *element) const {
  std::vector<XMLAttribute> attrs;
  size_t pos = getOffset(element) + 1;
  auto isSpace = [&](size_t i) {
    return std::isspace((unsigned char)buffer[i]);
  };
  auto isNameEnd = [&](size_t i) {
    return isSpace(i) || buffer[i] == '=' || buffer[i] == '>' ||
           buffer[i] == '/';
  };
  while (pos < buffer.size() && !isNameEnd(pos))
    ++pos;
  while (pos < buffer.size()) {
    while (pos < buffer.size() && isSpace(pos))
      ++pos;
    if (pos >= buffer.size() || buffer[pos] == '>' || buffer[pos] == '/')
      break;
    size_t nameBegin = pos;
    while (pos < buffer.size() && !isNameEnd(pos))
      ++pos;
    XMLAttribute attr;
    attr.name = buffer.slice(nameBegin, pos).str();
    while (pos < buffer.size() && (isSpace(pos) || buffer[pos] == '='))
      ++pos;
    if (pos >= buffer.size())
      break;
    char quote = buffer[pos];
    size_t valueBegin = pos + 1;
    size_t valueEnd = std::min(buffer.find(quote, valueBegin), buffer.size());
    decodeAttributeValue(buffer, valueBegin, valueEnd, attr);
    attrs.push_back(std::move(attr));
    pos = valueEnd + 1;
  }
  return attrs;
}

std::optional<XMLAttribute> XMLDocument::getAttribute(xmlNode *element,
                                                      StringRef name) const {
  for (XMLAttribute &attr : getAttributes(element))
    if (attr.name == name)
      return std::move(attr);
  return std::nullopt;
}
