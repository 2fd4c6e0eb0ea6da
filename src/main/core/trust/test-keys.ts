/*
 * Test keys from the protocol spec, shared by the trust tests. The filter keys are the public keys of
 * status-go's filters_manager_test private keys (partitions 4490 and 3991); Alice and Bob are the
 * identity keys of the X3DH vector.
 */
export const FILTERS_KEY_A =
  '0x04cab365fcbb92f82b9c47ceaa27d654268606dea9cd658e369abf5c3fc59d0fa27b4a47db1e94e30b0889af02714ac6a77a6ff47edcde93a1d0302950f7eed807'
export const FILTERS_KEY_B =
  '0x04eb0177131d07520da774ce45687054fd8b57ca51ea80c0de63624c1f7856d237b7290383a7d74c102136f222bbc4c64a68f5e04dfca69c30bddabfa99a8fd016'
export const ALICE_IK =
  '0x042ed557f5ad336b31a49857e4e9664954ac33385aa20a93e2d64bfe7f08f51277bcb27c1259f802a52ed3ea7ac939043f0cc864e27400294bf121f23877995852'
export const BOB_IK =
  '0x0490999dbbf43034bffb1dd53eac1eb4c33a4ea1c4f48ba585cfde3830840f05553a9d6d07e79ae2fbe0bc0b20c93e1f8e20d74b8a0a7028e32d9a6808b6c38df4'
