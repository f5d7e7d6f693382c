// checker.cpp — placeholder, being written.
