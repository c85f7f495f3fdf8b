//===- LEMSImporterTest.cpp - Tests of the RateML XML importer ------------===//
//
// Imports small models from memory and checks the IR built and the
// locations of diagnostics (line and column into the XML).
//
//===----------------------------------------------------------------------===//

#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "gtest/gtest.h"

using namespace mlir;

namespace {

struct Diag {
  unsigned line, col;
  std::string message;
};

class LEMSImporterTest : public ::testing::Test {
protected:
  OwningOpRef<ModuleOp> import(llvm::StringRef xml) {
    diags.clear();
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
      if (d.getSeverity() != DiagnosticSeverity::Error)
        return success();
      auto loc = dyn_cast<FileLineColLoc>(d.getLocation());
      diags.push_back(
          {loc ? loc.getLine() : 0, loc ? loc.getColumn() : 0, d.str()});
      return success();
    });
    return rateml::lems::importLEMS(xml, "model.xml", &context);
  }

  MLIRContext context;
  std::vector<Diag> diags;
};

constexpr const char *kValid = R"(<Lems description="test">
  <ComponentType name="derivatives">
    <Parameter name="g" dimension="0, 1"/>
    <DerivedParameter name="rec_n" value="1 / n_node"/>
    <Constant name="tau" value="2.0f"/>
    <Dynamics>
      <StateVariable name="x" dimension="0, 1" exposure="0.0, inf"/>
      <TimeDerivative variable="dx" value="-x / tau + g * c_0"/>
    </Dynamics>
  </ComponentType>
  <ComponentType name="coupling">
    <Parameter name="x_j" dimension="0"/>
    <DerivedParameter name="c_0" value="g"/>
    <Dynamics>
      <DerivedVariable name="pre" value="x_j - x"/>
    </Dynamics>
  </ComponentType>
</Lems>)";

TEST_F(LEMSImporterTest, BuildsTheModel) {
  OwningOpRef<ModuleOp> module = import(kValid);
  ASSERT_TRUE(module) << (diags.empty() ? "" : diags[0].message);
  auto models = llvm::to_vector(module->getOps<rateml::ModelOp>());
  ASSERT_EQ(models.size(), 1u);
  rateml::ModelOp model = models[0];
  EXPECT_EQ(model.getSymName(), "model");
  EXPECT_EQ(model.getDescription(), "test");

  auto states = model.getStates();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].getLower()->convertToDouble(), 0.0);
  EXPECT_FALSE(states[0].getUpper()); // inf means no upper bound

  auto constant = SymbolTable::lookupSymbolIn(model, "tau");
  ASSERT_TRUE(constant);
  EXPECT_EQ(cast<rateml::ConstantOp>(constant).getValue().convertToDouble(),
            2.0);

  // 1 / n_node stays a real division.
  auto recN =
      cast<rateml::DerivedParamOp>(SymbolTable::lookupSymbolIn(model, "rec_n"));
  bool hasRealDivision = false;
  recN.walk([&](arith::DivFOp) { hasRealDivision = true; });
  EXPECT_TRUE(hasRealDivision);

  // A coupling without post gets post = 1; the source is a block argument.
  auto coupling =
      cast<rateml::CouplingOp>(SymbolTable::lookupSymbolIn(model, "c_0"));
  EXPECT_EQ(coupling.getSource(), 0u);
  EXPECT_EQ(coupling.getSourceName(), "x_j");
  EXPECT_EQ(coupling.getPre().getNumArguments(), 1u);
}

TEST_F(LEMSImporterTest, ErrorInsideAnExpressionPointsAtItsColumn) {
  std::string xml = kValid;
  xml.replace(xml.find("-x / tau"), 8, "-x / tua");
  EXPECT_FALSE(import(xml));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].line, 8u);
  EXPECT_EQ(diags[0].col, 49u);
  EXPECT_EQ(diags[0].message, "unknown name 'tua'; did you mean 'tau'?");
}

TEST_F(LEMSImporterTest, MalformedXMLReportsLibxml2Position) {
  EXPECT_FALSE(
      import("<Lems>\n  <ComponentType name=\"derivatives\">\n</Lems>"));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].line, 3u);
  EXPECT_NE(diags[0].message.find("malformed XML"), std::string::npos);
}

TEST_F(LEMSImporterTest, EntityDeclarationsAreRefused) {
  const char *xml = "<!DOCTYPE Lems [<!ENTITY a \"aaaaaaaaaa\">\n"
                    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
                    "<Lems description=\"&b;\"/>";
  EXPECT_FALSE(import(xml));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("entity declarations are not allowed"),
            std::string::npos);
}

TEST_F(LEMSImporterTest, ExternalEntitiesAreRefused) {
  const char *xml =
      "<!DOCTYPE Lems [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<Lems description=\"&x;\"/>";
  EXPECT_FALSE(import(xml));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("entity declarations are not allowed"),
            std::string::npos);
}

TEST_F(LEMSImporterTest, EscapedComparisonKeepsSourceColumns) {
  // '&lt;' is four characters in the file but one in the value: a column
  // after it must still point at the right place.
  const char *xml = R"(<Lems>
  <ComponentType name="derivatives">
    <Dynamics>
      <StateVariable name="x" dimension="0, 1"/>
      <ConditionalDerivedVariable name="h">
        <Case condition="x &lt; 0.0 + bogus" value="1"/>
        <Case condition="else" value="0"/>
      </ConditionalDerivedVariable>
      <TimeDerivative variable="dx" value="h"/>
    </Dynamics>
  </ComponentType>
</Lems>)";
  EXPECT_FALSE(import(xml));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].line, 6u);
  EXPECT_EQ(diags[0].col, 39u);
  EXPECT_EQ(diags[0].message, "unknown name 'bogus'");
}

} // namespace
