// types.cpp — placeholder, being written.
