"""Reading a host codebase: its files, their syntax trees and names, its models and enums."""
