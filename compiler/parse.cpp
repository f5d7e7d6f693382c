// parse.cpp — placeholder, being written.
