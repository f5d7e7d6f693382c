// loader.cpp — placeholder, being written.
