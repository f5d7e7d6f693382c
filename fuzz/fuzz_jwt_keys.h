// fuzz_jwt_keys.h — the fixed key pairs fuzz_jwt signs its seed tokens with
// (RSA 2048, EC P-256, Ed25519; made once with `openssl genpkey`). TEST KEYS,
// published here on purpose: nothing but the fuzz target trusts them.
//
// Contract: PEM (PKCS#8) private keys as string constants; nothing else.
#pragma once

namespace authz::fuzz {

inline constexpr const char* kRsaTestKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC0rAO5fnhXU+uS
YOjA1lHnFVxO+nJkPazy2qwszMtlB3WhIl9A9SM4fjqs6RuNiNt/KviIfLOsgWlk
4cUj60VTWskWeeYUaQfRXmS6gBUJeW023fTui2GCqlaOewufnMeJeKMO2Mpzrh6l
2v7S+f1UOO3tshPrxgn5a0m+MuDxoIgl8Jwf0upMLC+c3ygco3tagHJL6diyac3e
uC42ixZ0GQLxirIM+QLbNQ5DkFiF7xQ30FQYnB6Q5FWHYLcSzCkXAEPyilC4LV2A
zrlsbgMMgdy84tuew/o12wgS7wTjT8PUVz/3qQigVPn2mRLb+TnXldlYrB/oTXIv
DYNPYhvtAgMBAAECggEAAIBxyjQVtXhgMRnfy5lMxO2EQhvj8W9SaaI91CoFbpRk
uTvVM+L6ZA/FrfE/yFbW9TVzVz2xags59bPCzmS63o5j/JH+F5RrFyPB99qfNFWH
/h0Drx3n+Wrrrp2c3Kaczz7shQAJH+Ud5KwFBST4lSFLV9ukvoTgRjcMD2EoysL8
KfF3Xe9sAM5TP6puh8cithpYYetu4qoQyjiCL3ydzDJAvEHLRPT1aQQJLzuDhwe/
ALqUWnfDauI+hZhPwyQl1/b7HC1mmwqGHcU1Nkmd8oI4q/xR3+6y5+Bn0uZ44+JI
+3gRMYySUg0ERkA4awcWn9Lkg28bq37EfRiR34UnqQKBgQDxmXYGlX0zhzLWRlU8
OPWoiF67OKVtdpNMLAyeyEYa7FkmDKdYGW37WOV0Ruk6aLdN6vecKdANL63AXPY5
bEP6P9Z5Mc8VVoZj6PXQjFby9HBHkomibjxkzvwgPXW1SMs9vGtsJJ6dETS63CEH
AAYwPUlIVNvevM3i8IZW/EuldwKBgQC/cN4EGLKiwbLxQ0vBZY4wuiPYdfz08Vt+
e2SowYmBa4vqPipY5SgNK+GbBBwz2rkid6G+5jGA/zo7XrG5f0YYLTZYmKDP29f7
/hKa0Nun1FCgIIOeHAfPq1sbcpiM/iOoMpOvyu54v+HmHJYM6rWjC4GK7dckMIJl
PQoHoGkyuwKBgQDZpCMcn0IgTyTOvqE+FRnH7sFX6xmrWGws7GmaCFSPIGbWzgNa
a94V1OkvLEoiIf8vJAJXHZucpVzis1vkMtGx+BwfJW2ljUKXcl8utZ4GU4lqEGoI
d0HUllmuOW92FdNxE/G5g+uXFs7nnjHqem0Yu7zuefNv3amjTIXYioMi1QKBgEuW
MNLFPaLtf82qmHqfsmii1gxdaab8tPdXmQLYh4ZGBFRUfzviHtI0hTtDgC8pKPfm
7EIHeXxJSaCvXtSy3+Yj09VfTf9D+h9Qzd+6nz/AoKTYsZ73yk3AhpRrxrfEkCeU
8KL0KPwcJwFIQCaRdW4O2PMVvWBYluOKGi+wsliJAoGBAOaXlc1DKXdCi0L0FkSl
G/jVHCX7AWRgKSxhcakJ1uWcPJ/OzYw6UtYGyZZobRqKjogD9ziMecXmUL2hITXF
QtapSNEnu8PbyyKLwAdd9P+zlVNlD/zRwPiaphpjgYgwnhxm8IB5lyBx2qH/la3P
+3G7IJEUqBZ1C0RuZ6rvJgjH
-----END PRIVATE KEY-----
)";

inline constexpr const char* kEcTestKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKwhSlW7ROG33JghS
SW/WT2f2tUsPB0mteKzzsUK/PHmhRANCAARhW0AMzk9K13SrvB1sbLEitGGt/vbd
E5kRwiYgT6Lg8ab0Un1Jum5v6y6KLRcrxXVJr+q35KdS00t02GEeF3bt
-----END PRIVATE KEY-----
)";

inline constexpr const char* kEd25519TestKeyPem = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIFz6H7kYmVGFDbARq0uY0NwAzaGo+9IKVQh6m3uJw1q+
-----END PRIVATE KEY-----
)";

}  // namespace authz::fuzz
