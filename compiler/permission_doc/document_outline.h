// document_outline.h — the one outline both permission-doc renderers fill
// (html_doc.cpp, markdown_doc.cpp): the facts about a Model that every section
// reads, computed once, and the sections in the order the document shows them.
//
// Contract: render_document computes the facts once, then calls each section
// writer in order (head, matrix, roles, targets, rules, grants, obligations,
// tail) with the Model, the same facts and the output string. A null writer writes nothing.
// The facts hold unescaped data; each writer escapes for its own format.
#pragma once

#include <string>
#include <string_view>

#include "compiler/permission_doc/access_matrix.h"
#include "compiler/permission_doc/doc_facts.h"
#include "runtime/table_model.h"

namespace authz::permission_doc {

struct DocumentFacts {
  std::string_view policy_hash;
  AccessMatrix matrix;  // build_access_matrix(model)
  TargetLists lists;    // target_lists(model)
};

struct DocumentSections {
  using Writer = void (*)(const runtime::Model& model, const DocumentFacts& facts, std::string& out);
  Writer head = nullptr;
  Writer matrix = nullptr;
  Writer roles = nullptr;
  Writer targets = nullptr;
  Writer rules = nullptr;
  Writer grants = nullptr;
  Writer obligations = nullptr;
  Writer tail = nullptr;
};

std::string render_document(const runtime::Model& model, std::string_view policy_hash, const DocumentSections& sections);

}  // namespace authz::permission_doc
