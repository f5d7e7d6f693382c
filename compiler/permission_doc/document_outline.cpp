// document_outline.cpp — see document_outline.h.
#include "compiler/permission_doc/document_outline.h"

namespace authz::permission_doc {

std::string render_document(const runtime::Model& model, std::string_view policy_hash, const DocumentSections& sections) {
  const DocumentFacts facts{policy_hash, build_access_matrix(model), target_lists(model)};
  std::string out;
  for (DocumentSections::Writer writer : {sections.head, sections.matrix, sections.roles, sections.targets, sections.rules,
                                          sections.grants, sections.obligations, sections.tail}) {
    if (writer) writer(model, facts, out);
  }
  return out;
}

}  // namespace authz::permission_doc
