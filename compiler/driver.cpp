// driver.cpp — placeholder, being written.
