-- A successful sign-in forgets the user name's failures and lockout (not the address's).
DELETE FROM login_failure WHERE namespace = :namespace AND key = :user_key
