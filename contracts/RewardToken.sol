// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title The ERC-20 of one model (symbol = the model's token id), 18 decimals.
/// @notice Only holders of MINTER_ROLE (the RewardMinter) create tokens; there is no other supply.
contract RewardToken is ERC20, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    error LengthMismatch();

    constructor(string memory name_, string memory symbol_, address admin, address minter) ERC20(name_, symbol_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, minter);
    }

    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @dev One call for a whole batch: the role is checked once and no external call is made per recipient,
    /// so a recipient costs little more than its fresh balance write and its Transfer event.
    function mintBatch(address[] calldata to, uint256[] calldata amounts)
        external
        onlyRole(MINTER_ROLE)
        returns (uint256 total)
    {
        uint256 n = to.length;
        if (n != amounts.length) revert LengthMismatch();
        for (uint256 i; i < n; ++i) {
            _mint(to[i], amounts[i]);
            total += amounts[i];
        }
    }
}
