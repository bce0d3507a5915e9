// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {RewardToken} from "./RewardToken.sol";

/// @title Pays DeltaOne rewards exactly once per key.
/// @notice Holds MINTER_ROLE on every model's RewardToken. A key (sha256 of model id and attestation hash) can
/// be used once across all tokens, so a retried or replayed payment reverts instead of minting twice.
contract RewardMinter is AccessControl, Pausable {
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    mapping(bytes32 => bool) public usedKeys;

    error KeyAlreadyUsed(bytes32 key);
    error LengthMismatch();
    error EmptyBatch();

    event BatchMinted(
        bytes32 indexed key,
        address indexed token,
        bytes32 attestationHash,
        uint256 recipients,
        uint256 total
    );

    constructor(address admin, address operator) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(OPERATOR_ROLE, operator);
    }

    function mintBatch(
        RewardToken token,
        bytes32 key,
        bytes32 attestationHash,
        address[] calldata to,
        uint256[] calldata amounts
    ) external onlyRole(OPERATOR_ROLE) whenNotPaused {
        if (usedKeys[key]) revert KeyAlreadyUsed(key);
        if (to.length != amounts.length) revert LengthMismatch();
        if (to.length == 0) revert EmptyBatch();
        usedKeys[key] = true;
        uint256 total = token.mintBatch(to, amounts);
        emit BatchMinted(key, address(token), attestationHash, to.length, total);
    }

    /// @notice Emergency stop for every model's payments (the per-model pause lives in the server's settings).
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }
}
