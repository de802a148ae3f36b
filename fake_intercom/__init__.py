"""fake_intercom"""
