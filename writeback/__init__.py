"""writeback"""
