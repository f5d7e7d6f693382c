// ast_dump.cpp — placeholder, being written.
